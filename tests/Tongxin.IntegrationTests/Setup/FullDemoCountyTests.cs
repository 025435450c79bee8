using System.Net;
using System.Text.Json.Nodes;
using Tongxin.Host.Demo;
using Tongxin.Host.Persistence;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Setup;

/// <summary>The host started with the full demo county (<c>Demo:County</c>, as <c>--demo=county</c> sets it).</summary>
public abstract class FullDemoCountyApp : TongxinApp
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?> { ["Demo:County"] = "true" };
}

public sealed class SqliteFullDemoCounty : FullDemoCountyApp
{
    protected override DatabaseProvider Provider => DatabaseProvider.Sqlite;
}

public sealed class PostgresFullDemoCounty : FullDemoCountyApp
{
    protected override DatabaseProvider Provider => DatabaseProvider.PostgreSQL;
}

public sealed class FullDemoCountyTestsOnSqlite(SqliteFullDemoCounty app) : FullDemoCountyTests(app), IClassFixture<SqliteFullDemoCounty>
{
    [Fact]
    public async Task TwoFreshDatabasesGetTheSameChildrenWithTheSameNamesAndBirthDates()
    {
        await using var second = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        // Matching is not what this compares: the second host does not run it.
        await using var factory = TongxinApp.CreateFactory(second, new Dictionary<string, string?> { ["Demo:County"] = "true", ["Matching:AutoRun"] = "false" });
        var other = new Api(factory.CreateClient());
        await other.LoginAsync("civil", DemoCounty.Password);

        var first = await ChildrenAsync(await App.LoginAsync("civil", DemoCounty.Password));
        var again = await ChildrenAsync(other);
        Assert.Equal(FullDemoCounty.Children, first.Count);
        Assert.Equal(first, again);
        // Made after the children and their year of contacts: the same volunteers too, whatever the time of day.
        Assert.Equal(await VolunteersAsync(await App.LoginAsync("civil", DemoCounty.Password)), await VolunteersAsync(other));
    }

    private static async Task<List<string>> VolunteersAsync(Api civil) =>
        (await civil.GetAsync("/api/volunteers")).AssertStatus(HttpStatusCode.OK).Array
            .Select(v => string.Join('|', v!["displayName"], v["gender"], v["regionCode"], v["lines"]!.ToJsonString(), v["skills"]!.ToJsonString(), v["vetting"]!["status"]))
            .Order(StringComparer.Ordinal).ToList();

    /// <summary>Every child as civil affairs lists them, by village, name, gender, age and category; sorted (ids differ).</summary>
    private static async Task<List<string>> ChildrenAsync(Api civil)
    {
        var all = new List<string>();
        for (var page = 1; ; page++)
        {
            var items = (await civil.GetAsync($"/api/children?pageSize=100&page={page}")).AssertStatus(HttpStatusCode.OK).Json!["items"]!.AsArray();
            all.AddRange(items.Select(c => string.Join('|', c!["villageCode"], c["familyName"], c["givenName"], c["gender"], c["age"], c["category"])));
            if (items.Count < 100)
            {
                return all.Order(StringComparer.Ordinal).ToList();
            }
        }
    }
}

public sealed class FullDemoCountyTestsOnPostgres(PostgresFullDemoCounty app) : FullDemoCountyTests(app), IClassFixture<PostgresFullDemoCounty>;

/// <summary>
/// <c>--demo=county</c> as a person looking around would find it: the county's children on the dashboard, a director's
/// own village, volunteers waiting for vetting, late contacts, concerns along the chain, and offers made at start.
/// </summary>
public abstract class FullDemoCountyTests(FullDemoCountyApp app)
{
    protected FullDemoCountyApp App => app;

    private Task<Api> As(string userName) => app.LoginAsync(userName, DemoCounty.Password);

    [Fact]
    public async Task CivilAffairsSeesThreeThousandChildrenAcrossEightTownsAndSixtyVillages()
    {
        var civil = await As("civil");
        Assert.Equal(3_000, (await civil.GetAsync("/api/children?pageSize=1")).AssertStatus(HttpStatusCode.OK).Get<int>("total"));

        var regions = (await civil.GetAsync("/api/regions")).AssertStatus(HttpStatusCode.OK).Array;
        var towns = regions.Where(r => r!["kind"]!.GetValue<string>() == "town").Select(r => r!["code"]!.GetValue<string>()).ToList();
        Assert.Equal(8, towns.Count);
        Assert.Equal(60, regions.Count(r => r!["kind"]!.GetValue<string>() == "village"));
        var perTown = new List<int>();
        foreach (var town in towns)
        {
            perTown.Add((await civil.GetAsync($"/api/children?regionCode={town}&pageSize=1")).AssertStatus(HttpStatusCode.OK).Get<int>("total"));
        }
        Assert.All(perTown, count => Assert.InRange(count, 200, 600));
        Assert.Equal(3_000, perTown.Sum());
        // Both categories and every risk level are there, as the dashboard's charts show them.
        foreach (var risk in new[] { "low", "medium", "high" })
        {
            Assert.True((await civil.GetAsync($"/api/children?riskLevel={risk}&pageSize=1")).Get<int>("total") > 0, risk);
        }
    }

    [Fact]
    public async Task ADirectorSeesOnlyTheChildrenOfTheirOwnVillage()
    {
        var director = await As("director-07");
        var me = (await director.GetAsync("/api/me")).AssertStatus(HttpStatusCode.OK);
        var village = me.Get<string>("regionCode");
        var page = (await director.GetAsync("/api/children?pageSize=100")).AssertStatus(HttpStatusCode.OK);
        var items = page.Json!["items"]!.AsArray();
        Assert.NotEmpty(items);
        Assert.All(items, c => Assert.Equal(village, c!["villageCode"]!.GetValue<string>()));
        var civil = await As("civil");
        Assert.Equal((await civil.GetAsync($"/api/children?regionCode={village}&pageSize=1")).Get<int>("total"), page.Get<int>("total"));
        // Another village's children are not theirs to list.
        Assert.Equal(HttpStatusCode.Forbidden, (await director.GetAsync($"/api/children?regionCode={FullDemoCounty.CountyCode}")).Status);

        // The README's "director" signs in too, in the county's biggest village with a second director.
        Assert.True((await (await As("director")).GetAsync("/api/children?pageSize=1")).Get<int>("total") > 30);
    }

    [Fact]
    public async Task SomeVolunteersAreUnvettedAndSomeVettingsRunOutWithinThirtyDays()
    {
        var volunteers = (await (await As("civil")).GetAsync("/api/volunteers")).AssertStatus(HttpStatusCode.OK).Array;
        Assert.Equal(FullDemoCounty.Volunteers, volunteers.Count);
        var vetting = volunteers.Select(v => v!["vetting"]!).ToList();
        Assert.Contains(vetting, v => v["status"]!.GetValue<string>() == "none");
        Assert.Contains(vetting, v => !v["valid"]!.GetValue<bool>());
        var soon = DateTime.UtcNow.AddDays(30);
        Assert.Contains(vetting, v => v["valid"]!.GetValue<bool>() && v["expiresAt"]!.GetValue<DateTime>() <= soon);
        Assert.Contains(volunteers, v => v!["gender"]!.GetValue<string>() == "male");
        // The Caring Mothers are women, every one.
        Assert.All(volunteers.Where(v => v!["lines"]!.AsArray().Any(l => l!.GetValue<string>() == "caring-mother")),
            v => Assert.Equal("female", v!["gender"]!.GetValue<string>()));
        foreach (var line in new[] { "tutoring", "counselling", "caring-mother" })
        {
            Assert.Contains(volunteers, v => v!["lines"]!.AsArray().Any(l => l!.GetValue<string>() == line));
        }
    }

    [Fact]
    public async Task OverdueFollowUpsShowAndTheDirectorsBehindHaveTheirDailyDigest()
    {
        var civil = await As("civil");
        var overdue = (await civil.GetAsync("/api/followups/overdue")).AssertStatus(HttpStatusCode.OK).Array;
        Assert.InRange(overdue.Count, 50, 2_000);
        var backlog = (await civil.GetAsync("/api/followups/backlog")).AssertStatus(HttpStatusCode.OK).Array;
        var behind = backlog.OrderByDescending(v => v!["contactsOverdue"]!.GetValue<int>()).First()!;
        Assert.True(behind["contactsOverdue"]!.GetValue<int>() > 0);
        var director = await As(behind["directors"]!.AsArray()[0]!.GetValue<string>());
        var inbox = (await director.GetAsync("/api/notifications")).AssertStatus(HttpStatusCode.OK).Json!["items"]!.AsArray();
        // The digest is written from 08:00 China time on; before that the day's digest is not due yet.
        if (DateTime.UtcNow.AddHours(8).Hour >= 8)
        {
            Assert.Contains(inbox, n => n!["event"]!.GetValue<string>() == "contact.overdue");
        }
    }

    [Fact]
    public async Task ConcernsStandAtEveryStepOfTheChainAndSomeWereEscalated()
    {
        var concerns = (await (await As("civil")).GetAsync("/api/concerns")).AssertStatus(HttpStatusCode.OK).Array;
        var stages = concerns.Select(c => c!["stage"]!.GetValue<string>()).ToHashSet();
        Assert.Equal(new[] { "assessed", "assisted", "discovered", "intervened", "referred", "reported-to-police" }, stages.Order(StringComparer.Ordinal));
        Assert.Contains(concerns, c => c!["escalated"]!.GetValue<bool>());
        // Their details were sealed at rest and open again for the reader.
        Assert.All(concerns, c => Assert.DoesNotContain("v1:", c!["details"]!.GetValue<string>(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task OffersExistAfterStartAndLongWaitingNeedsReachedTheCounty()
    {
        var civil = await As("civil");
        JsonArray offered = [];
        // Matching runs by itself once the host has started (each line and county with open needs is woken).
        for (var tries = 0; tries < 120 && offered.Count == 0; tries++)
        {
            offered = (await civil.GetAsync("/api/needs?status=offered")).AssertStatus(HttpStatusCode.OK).Array;
            if (offered.Count == 0)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
        Assert.NotEmpty(offered);
        var open = (await civil.GetAsync("/api/needs?status=open")).AssertStatus(HttpStatusCode.OK).Array;
        Assert.Equal(4, open.Concat(offered).Select(n => n!["line"]!.GetValue<string>()).Distinct().Count());
        Assert.NotEmpty((await civil.GetAsync("/api/escalations?level=county")).AssertStatus(HttpStatusCode.OK).Array);
        Assert.NotEmpty((await civil.GetAsync("/api/escalations?level=town")).AssertStatus(HttpStatusCode.OK).Array);
        // The contracts are there with a year of deliveries.
        var contracts = (await civil.GetAsync("/api/contracts")).AssertStatus(HttpStatusCode.OK).Array;
        Assert.Equal(2, contracts.Count);
        Assert.All(contracts, c => Assert.True(c!["deliveredUnits"]!.GetValue<int>() > 500));
    }
}
