using System.Net;
using System.Net.Http.Headers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tongxin.Host.Persistence;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Matching;

public sealed class CapacityRaceTestsOnSqlite(SqliteMatchingApp app) : CapacityRaceTests(app), IClassFixture<SqliteMatchingApp>;

public sealed class CapacityRaceTestsOnPostgres(PostgresMatchingApp app) : CapacityRaceTests(app), IClassFixture<PostgresMatchingApp>
{
    /// <summary>
    /// Two hosts of one Orleans cluster (membership in Redis) on one PostgreSQL database: the provider's one activation
    /// takes the acceptances one at a time, whichever host each reached. (Two hosts that were not one cluster each had
    /// an activation of their own; a loser could exhaust its retries on the version and answer 409 while its offer
    /// stayed pending and its need hung on it. The version check is now the second guard: Grains/VersionGuardTests.)
    /// </summary>
    [Fact]
    public async Task TwoHostsOfOneClusterNeverCommitBeyondCapacity()
    {
        var (county, volunteerId, offers) = await SeedRaceAsync();
        await using var membership = await RedisServer.StartAsync();
        var cluster = new Dictionary<string, string?>
        {
            ["Matching:AutoRun"] = "false",
            ["Cluster:Membership"] = "Redis",
            ["Cluster:Redis"] = membership.Configuration,
            ["Cluster:Id"] = "race-" + Guid.NewGuid().ToString("N")[..8],
        };
        await using var first = TongxinApp.CreateFactory(app.Database, cluster);
        await using var second = TongxinApp.CreateFactory(app.Database, cluster);
        _ = first.Server; // started one after the other: the second joins the first's cluster
        var admin = new Api(second.CreateClient());
        await admin.LoginAsync(TongxinApp.AdminUserName, TongxinApp.AdminPassword);
        Assert.Equal(2, (await admin.GetAsync("/api/cluster")).AssertStatus(HttpStatusCode.OK).Json!["silos"]!.AsArray()
            .Count(s => s!["status"]!.GetValue<string>() == "active"));
        var token = await TokenAsync(county);
        var clients = new[] { first.CreateClient(), second.CreateClient() };
        foreach (var client in clients)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        var statuses = await Task.WhenAll(offers.Select((offer, i) => AcceptAsync(clients[i % 2], offer)));

        await AssertExactlyCapacityAcceptedAsync(statuses, volunteerId, offers);
    }
}

/// <summary>
/// 200 offers to one volunteer with capacity 5 (as stale offers from several batches or hosts can leave
/// them), accepted all at once: exactly 5 succeed, the rest get 409, and the database agrees.
/// </summary>
public abstract class CapacityRaceTests(MatchingApp app)
{
    protected const int Capacity = 5;
    protected const int Racers = 200;

    /// <summary>The bodies of answers other than 200 and 409, shown when the test fails.</summary>
    private readonly System.Collections.Concurrent.ConcurrentBag<string> unexpected = [];

    [Fact]
    public async Task TwoHundredParallelAcceptsFillExactlyTheCapacity()
    {
        var (county, volunteerId, offers) = await SeedRaceAsync();
        var client = app.Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(county));

        var statuses = await Task.WhenAll(offers.Select(offer => AcceptAsync(client, offer)));

        await AssertExactlyCapacityAcceptedAsync(statuses, volunteerId, offers);
    }

    protected async Task<(TestCounty County, string VolunteerId, List<string> Offers)> SeedRaceAsync()
    {
        var county = await TestCounty.CreateAsync(app);
        var (volunteerId, _) = await county.VolunteerAsync("busy", "female", county.VillageA1, ["caring-mother"],
            new Dictionary<string, object> { ["caring-mother"] = new { supportKinds = new[] { "daily-life" } } }, capacity: Capacity);
        var child = await county.ChildAsync("director-a1", county.VillageA1);

        using var scope = app.Services.CreateScope();
        var offers = await SeedOffersAsync(() => scope.ServiceProvider.GetRequiredService<TongxinDbContext>(), county, volunteerId, child, Racers);
        return (county, volunteerId, offers);
    }

    /// <summary>Pending offers of many needs of the child's village to one volunteer, as stale batches or several hosts can leave them.</summary>
    public static async Task<List<string>> SeedOffersAsync(Func<TongxinDbContext> open, TestCounty county, string volunteerId, string child, int count)
    {
        var db = open();
        var regionPath = (await db.Children.SingleAsync(c => c.Id == child)).RegionPath;
        var now = DateTime.UtcNow;
        var offers = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var need = new Need
            {
                Id = Ids.New(), ChildId = child, Line = "caring-mother", DetailsJson = "{\"supportKinds\":[\"daily-life\"]}",
                Urgency = Urgency.Normal, Status = NeedStatus.Offered, RegionPath = regionPath, CountyCode = county.Code,
                CreatedByUserId = "test", CreatedAt = now, UpdatedAt = now, Version = 1,
            };
            var offer = new Offer
            {
                Id = Ids.New(), NeedId = need.Id, ProviderId = volunteerId, Line = "caring-mother", Score = 10, ReasonsJson = "[]",
                Status = OfferStatus.Pending, CreatedAt = now, ExpiresAt = now.AddDays(7), Version = 1,
            };
            db.Needs.Add(need);
            db.Offers.Add(offer);
            offers.Add(offer.Id);
        }
        await db.SaveChangesAsync();
        return offers;
    }

    protected static async Task<string> TokenAsync(TestCounty county)
    {
        var volunteer = await county.As("busy");
        return volunteer.Http.DefaultRequestHeaders.Authorization!.Parameter!;
    }

    /// <summary>Accepts as a client would: a 503 ("the database is busy, try again") is retried; accepting is idempotent.</summary>
    protected async Task<HttpStatusCode> AcceptAsync(HttpClient client, string offerId)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var response = await client.PostAsync($"/api/offers/{offerId}/accept", null);
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 4)
            {
                if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.Conflict))
                {
                    unexpected.Add($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
                return response.StatusCode;
            }
            await Task.Delay(200 * (attempt + 1));
        }
    }

    protected async Task AssertExactlyCapacityAcceptedAsync(HttpStatusCode[] statuses, string volunteerId, List<string> offers)
    {
        // Any other answer (a 500, a 503 after the client's retries) is named in the failure, with how many.
        var answers = string.Join(", ", statuses.GroupBy(s => (int)s).OrderBy(g => g.Key).Select(g => $"{g.Key} x{g.Count()}")) + string.Concat(unexpected.Select(u => "\n" + u));
        Assert.True(statuses.Count(s => s == HttpStatusCode.OK) == Capacity, $"expected {Capacity} x 200; answers: {answers}");
        Assert.True(statuses.Count(s => s == HttpStatusCode.Conflict) == Racers - Capacity, $"expected {Racers - Capacity} x 409; answers: {answers}");

        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<TongxinDbContext>();
        var provider = await db.Providers.AsNoTracking().SingleAsync(p => p.Id == volunteerId);
        Assert.Equal(Capacity, provider.Committed);
        Assert.Equal(Capacity, await db.Pairings.CountAsync(p => p.ProviderId == volunteerId && p.Status == PairingStatus.Active));
        Assert.Equal(Capacity, await db.Offers.CountAsync(o => offers.Contains(o.Id) && o.Status == OfferStatus.Accepted));
        var needIds = await db.Offers.Where(o => offers.Contains(o.Id)).Select(o => o.NeedId).ToListAsync();
        Assert.Equal(Capacity, await db.Needs.CountAsync(n => needIds.Contains(n.Id) && n.Status == NeedStatus.Matched));
        // The losers' needs went back to matching rather than hanging on a dead offer.
        Assert.Equal(Racers - Capacity, await db.Needs.CountAsync(n => needIds.Contains(n.Id) && n.Status == NeedStatus.Open));
    }
}
