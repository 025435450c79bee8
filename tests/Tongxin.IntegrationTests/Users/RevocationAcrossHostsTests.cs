using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Tongxin.Host.Persistence;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Users;

public sealed class RevocationAcrossHostsTestsOnSqlite() : RevocationAcrossHostsTests(DatabaseProvider.Sqlite);

public sealed class RevocationAcrossHostsTestsOnPostgres() : RevocationAcrossHostsTests(DatabaseProvider.PostgreSQL);

/// <summary>
/// Two hosts on one database, as behind a load balancer: a deactivation or a password reset made on one ends the user's
/// tokens on the other too, within a second (each host reads the stamp again at most every second), including the token
/// the other host already opened and remembers (issue 16, point 4).
/// </summary>
public abstract class RevocationAcrossHostsTests(DatabaseProvider provider)
{
    /// <summary>The design says one second (UserStamps.RememberFor); the bound leaves room for a slow shared machine.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task ADeactivationOnOneHostEndsTheTokenTheOtherHostRemembers()
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var a = TongxinApp.CreateFactory(database);
        await using var b = TongxinApp.CreateFactory(database);
        var county = await TestCounty.CreateAsync(new FactoryHost(a));
        await county.UserAsync("leaving", "child-director", county.VillageA2);
        var token = await TokenAsync(a, county.User("leaving"), TestCounty.Password);

        // The same token on both hosts: each opens it and remembers it.
        var onA = WithToken(a, token);
        var onB = WithToken(b, token);
        (await onA.GetAsync("/api/children")).AssertStatus(HttpStatusCode.OK);
        (await onB.GetAsync("/api/children")).AssertStatus(HttpStatusCode.OK);

        var civilOnB = await new FactoryHost(b).LoginAsync(county.User("civil"), TestCounty.Password);
        var id = (await civilOnB.GetAsync($"/api/users?q={county.User("leaving")}")).AssertStatus(HttpStatusCode.OK).Json!["items"]!.AsArray().Single()!["id"]!.GetValue<string>();
        (await civilOnB.PostAsync($"/api/users/{id}/deactivate", new { })).AssertStatus(HttpStatusCode.OK);

        // The host that made the change refuses at once; the other within the bound.
        (await onB.GetAsync("/api/children")).AssertProblem(HttpStatusCode.Unauthorized);
        var elapsed = await UntilUnauthorizedAsync(onA);
        Assert.True(elapsed < Bound, $"Host A still accepted the token {elapsed.TotalMilliseconds:F0} ms after the deactivation.");
    }

    [Fact]
    public async Task AResetOnOneHostEndsEveryTokenOfTheUserOnTheOther()
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var a = TongxinApp.CreateFactory(database);
        await using var b = TongxinApp.CreateFactory(database);
        var county = await TestCounty.CreateAsync(new FactoryHost(a));
        var phone = WithToken(a, await TokenAsync(a, county.User("director-a1"), TestCounty.Password));
        var laptop = WithToken(a, await TokenAsync(a, county.User("director-a1"), TestCounty.Password));
        (await phone.GetAsync("/api/children")).AssertStatus(HttpStatusCode.OK);
        (await laptop.GetAsync("/api/children")).AssertStatus(HttpStatusCode.OK);

        var civilOnB = await new FactoryHost(b).LoginAsync(county.User("civil"), TestCounty.Password);
        var id = (await civilOnB.GetAsync($"/api/users?q={county.User("director-a1")}")).AssertStatus(HttpStatusCode.OK).Json!["items"]!.AsArray().Single()!["id"]!.GetValue<string>();
        (await civilOnB.PostAsync($"/api/users/{id}/password-reset", new { })).AssertStatus(HttpStatusCode.OK);

        Assert.True(await UntilUnauthorizedAsync(phone) < Bound);
        (await laptop.GetAsync("/api/children")).AssertProblem(HttpStatusCode.Unauthorized);
    }

    private static async Task<TimeSpan> UntilUnauthorizedAsync(Api api)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Bound + Bound)
        {
            if ((await api.GetAsync("/api/children")).Status == HttpStatusCode.Unauthorized)
            {
                return clock.Elapsed;
            }
            await Task.Delay(50);
        }
        return clock.Elapsed;
    }

    private static async Task<string> TokenAsync(WebApplicationFactory<Program> host, string userName, string password)
    {
        var login = await new Api(host.CreateClient()).PostAsync("/api/auth/login", new { userName, password });
        return login.AssertStatus(HttpStatusCode.OK).Get<string>("accessToken");
    }

    private static Api WithToken(WebApplicationFactory<Program> host, string token)
    {
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return new Api(client);
    }

    private sealed class FactoryHost(WebApplicationFactory<Program> factory) : IApiHost
    {
        public async Task<Api> LoginAsync(string userName, string password)
        {
            var api = new Api(factory.CreateClient());
            await api.LoginAsync(userName, password);
            return api;
        }

        public Task<Api> AdminAsync() => LoginAsync(TongxinApp.AdminUserName, TongxinApp.AdminPassword);
    }
}
