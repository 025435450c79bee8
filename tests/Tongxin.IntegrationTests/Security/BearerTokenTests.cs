using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tongxin.Host.Identity;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Security;

public sealed class BearerTokenTestsOnSqlite(SqliteMatchingApp app) : BearerTokenTests(app), IClassFixture<SqliteMatchingApp>;

public sealed class BearerTokenTestsOnPostgres(PostgresMatchingApp app) : BearerTokenTests(app), IClassFixture<PostgresMatchingApp>;

/// <summary>
/// Each host remembers the tokens it has opened (<see cref="RememberedTokens"/>, ADR 0010); to a caller a token
/// still means exactly what it did: it works for its eight hours, not a moment longer, and a token changed in
/// transit never works.
/// </summary>
public abstract class BearerTokenTests(MatchingApp app)
{
    private static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(8);

    [Fact]
    public async Task ATokenWorksForItsEightHoursAndIsRefusedOnceTheyArePastThoughItWasRemembered()
    {
        // The host's tokens do go through the memory this test is about.
        var options = app.Services.GetRequiredService<IOptionsMonitor<BearerTokenOptions>>().Get(BearerTokenDefaults.AuthenticationScheme);
        Assert.IsType<RememberedTokens>(options.BearerTokenProtector);

        var county = await TestCounty.CreateAsync(app);
        var child = await county.ChildAsync("director-a1", county.VillageA1);
        var director = await county.As("director-a1");
        try
        {
            for (var i = 0; i < 40; i++)
            {
                Assert.Equal(county.User("director-a1"), (await director.GetAsync("/api/me")).AssertStatus(HttpStatusCode.OK).Get<string>("userName"));
                (await director.GetAsync($"/api/children/{child}")).AssertStatus(HttpStatusCode.OK);
            }

            // Minutes before the end (real time has hardly moved: the ticket is still in the host's memory).
            app.Clock.Advance(TokenLifetime - TimeSpan.FromMinutes(5));
            (await director.GetAsync($"/api/children/{child}")).AssertStatus(HttpStatusCode.OK);

            // Past the end: the remembered ticket is checked against the clock like an opened one.
            app.Clock.Advance(TimeSpan.FromMinutes(6));
            for (var i = 0; i < 3; i++)
            {
                (await director.GetAsync($"/api/children/{child}")).AssertProblem(HttpStatusCode.Unauthorized);
                (await director.GetAsync("/api/me")).AssertProblem(HttpStatusCode.Unauthorized);
            }

            // Signing in again is the way back.
            var again = await county.As("director-a1");
            (await again.GetAsync($"/api/children/{child}")).AssertStatus(HttpStatusCode.OK);
        }
        finally
        {
            app.Clock.Reset();
        }
    }

    [Fact]
    public async Task ATokenChangedByOneCharacterIsRefusedEveryTimeAndTheRealOneStillWorks()
    {
        var county = await TestCounty.CreateAsync(app);
        var child = await county.ChildAsync("director-a1", county.VillageA1);
        var director = await county.As("director-a1");
        var token = director.Http.DefaultRequestHeaders.Authorization!.Parameter!;
        (await director.GetAsync($"/api/children/{child}")).AssertStatus(HttpStatusCode.OK); // opened and remembered

        // One character in the middle, where every bit is covered by the token's MAC (the last character may carry padding bits).
        var middle = token.Length / 2;
        var tampered = token[..middle] + (token[middle] == 'A' ? 'B' : 'A') + token[(middle + 1)..];
        var forged = new Api(app.Factory.CreateClient());
        forged.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tampered);
        for (var i = 0; i < 5; i++)
        {
            (await forged.GetAsync($"/api/children/{child}")).AssertProblem(HttpStatusCode.Unauthorized);
            (await forged.GetAsync("/api/me")).AssertProblem(HttpStatusCode.Unauthorized);
        }

        (await director.GetAsync($"/api/children/{child}")).AssertStatus(HttpStatusCode.OK);
    }
}
