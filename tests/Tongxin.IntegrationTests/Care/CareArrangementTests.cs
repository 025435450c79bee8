using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Tongxin.Host.Care;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Care;

public sealed class CareArrangementTestsOnSqlite(SqliteMatchingApp app) : CareArrangementTests(app), IClassFixture<SqliteMatchingApp>;

public sealed class CareArrangementTestsOnPostgres(PostgresMatchingApp app) : CareArrangementTests(app), IClassFixture<PostgresMatchingApp>;

/// <summary>Who looks after the child (委托照护, issue 19): recorded with history, checked, and acted on when it fails.</summary>
public abstract class CareArrangementTests(MatchingApp app)
{
    private static readonly object CaringMother = new Dictionary<string, object> { ["caring-mother"] = new { supportKinds = new[] { "daily-life" } } };

    private static string Today(int days = 0) => DateTime.UtcNow.AddHours(8).AddDays(days).ToString("yyyy-MM-dd");

    private static object Arrangement(
        string father = "away", string mother = "away", object? carer = null, object? agreement = null, int? version = null) => new
    {
        father = new { presence = father, workPlace = "广东东莞", phone = "13800138000" },
        mother = new { presence = mother, workPlace = "浙江义乌", phone = "" },
        carer,
        agreement,
        version,
    };

    private static object Grandmother(string ability = "can-care", int age = 68, string relation = "grandmother") =>
        new { familyName = "王", givenName = "秀英", relation, age, ability, abilityNote = "" };

    private static object Agreement(int signedDaysAgo = 200, int? untilInDays = 165) =>
        new { signedOn = Today(-signedDaysAgo), signedBy = "王大山（父亲）", until = untilInDays is { } d ? Today(d) : null };

    [Fact]
    public async Task ADirectorRecordsWhoLooksAfterTheChildEachChangeIsKeptAndOnlyStaffReadIt()
    {
        var county = await TestCounty.CreateAsync(app);
        var child = await county.ChildAsync("director-a1", county.VillageA1, risk: "low");
        var director = await county.As("director-a1");
        Assert.False((await director.GetAsync($"/api/children/{child}/care-arrangement")).AssertStatus(HttpStatusCode.OK).Get<bool>("recorded"));

        var saved = (await director.PutAsync($"/api/children/{child}/care-arrangement", Arrangement(carer: Grandmother(), agreement: Agreement())))
            .AssertStatus(HttpStatusCode.OK);
        Assert.True(saved.Get<bool>("recorded"));
        Assert.Equal("秀英", saved.Json!["carer"]!["givenName"]!.GetValue<string>());
        Assert.Equal("广东东莞", saved.Json["father"]!["workPlace"]!.GetValue<string>());
        Assert.Empty(saved.Json["failing"]!.AsArray());
        var version = saved.Get<int>("version");

        // A change with the version read; a stale one is refused.
        (await director.PutAsync($"/api/children/{child}/care-arrangement", Arrangement(mother: "at-home", carer: Grandmother("limited"), agreement: Agreement(), version: version)))
            .AssertStatus(HttpStatusCode.OK);
        (await director.PutAsync($"/api/children/{child}/care-arrangement", Arrangement(carer: Grandmother(), agreement: Agreement(), version: version)))
            .AssertProblem(HttpStatusCode.Conflict);
        var history = (await director.GetAsync($"/api/children/{child}/care-arrangement/history")).Array;
        Assert.Equal(2, history.Count);
        Assert.Equal("away", history[0]!["snapshot"]!["mother"]!["presence"]!.GetValue<string>());
        Assert.Equal("at-home", history[1]!["snapshot"]!["mother"]!["presence"]!.GetValue<string>());

        // The town reads it; another village does not know the child; a volunteer or an organisation has no access at all.
        Assert.Equal("limited", (await (await county.As("supervisor-a")).GetAsync($"/api/children/{child}/care-arrangement")).Json!["carer"]!["ability"]!.GetValue<string>());
        (await (await county.As("director-b1")).GetAsync($"/api/children/{child}/care-arrangement")).AssertProblem(HttpStatusCode.NotFound);
        (await (await county.As("shegong")).GetAsync($"/api/children/{child}/care-arrangement")).AssertProblem(HttpStatusCode.Forbidden);
        (await (await county.As("supervisor-a")).PutAsync($"/api/children/{child}/care-arrangement", Arrangement())).AssertProblem(HttpStatusCode.Forbidden);

        // A volunteer paired with the child learns the carer's given name to arrange a visit, and nothing else of it.
        await county.NeedAsync("director-a1", child, "caring-mother", new { supportKinds = new[] { "daily-life" } });
        var (_, volunteer) = await county.VolunteerAsync("mother", "female", county.VillageA1, ["caring-mother"], CaringMother);
        await county.RunMatchingAsync("caring-mother");
        var offer = Assert.Single((await volunteer.GetAsync("/api/offers?mine=true")).Array)!;
        var pairing = (await volunteer.PostAsync($"/api/offers/{offer["id"]}/accept", new { })).AssertStatus(HttpStatusCode.OK).Get<string>("pairingId");
        var seen = (await volunteer.GetAsync($"/api/pairings/{pairing}")).AssertStatus(HttpStatusCode.OK);
        Assert.Equal("秀英", seen.Get<string>("carerGivenName"));
        Assert.DoesNotContain("13800138000", seen.Body);
        Assert.DoesNotContain("广东东莞", seen.Body);
        Assert.DoesNotContain("王大山", seen.Body);
        (await volunteer.GetAsync($"/api/children/{child}/care-arrangement")).AssertProblem(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task BadArrangementsAreRefusedNamingTheFieldAndChangeNothing()
    {
        var county = await TestCounty.CreateAsync(app);
        var child = await county.ChildAsync("director-a1", county.VillageA1);
        var director = await county.As("director-a1");
        (await director.PutAsync($"/api/children/{child}/care-arrangement", Arrangement(carer: Grandmother(), agreement: new { signedOn = Today(-10), signedBy = "父亲", until = Today(-20) })))
            .AssertFieldErrors("agreement.until");
        (await director.PutAsync($"/api/children/{child}/care-arrangement", Arrangement(carer: Grandmother(age: 16), agreement: Agreement())))
            .AssertFieldErrors("carer.age");
        (await director.PutAsync($"/api/children/{child}/care-arrangement", Arrangement(carer: Grandmother(relation: "stranger"), agreement: Agreement())))
            .AssertFieldErrors("carer.relation");
        (await director.PutAsync($"/api/children/{child}/care-arrangement", Arrangement(father: "on-the-moon"))).AssertFieldErrors("father.presence");
        (await director.PutAsync($"/api/children/{child}/care-arrangement", Arrangement(agreement: Agreement()))).AssertFieldErrors("carer");
        (await director.PostAsync($"/api/children/{child}/care-arrangement/checks", new { at = DateTime.UtcNow, agreementInPlace = true, carerAbility = "can-care", notes = "" }))
            .AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.False((await director.GetAsync($"/api/children/{child}/care-arrangement")).Get<bool>("recorded"));
        Assert.Empty((await director.GetAsync($"/api/children/{child}/care-arrangement/history")).Array);

        (await director.PutAsync($"/api/children/{child}/care-arrangement", Arrangement(carer: Grandmother(), agreement: Agreement()))).AssertStatus(HttpStatusCode.OK);
        (await director.PostAsync($"/api/children/{child}/care-arrangement/checks", new { at = DateTime.UtcNow, agreementInPlace = true, carerAbility = "limited", notes = "腿脚不便", raiseConcern = true }))
            .AssertFieldErrors("raiseConcern");
        (await director.PostAsync($"/api/children/{child}/care-arrangement/checks", new { at = DateTime.UtcNow, agreementInPlace = true, carerAbility = "cannot", notes = "", raiseConcern = true }))
            .AssertFieldErrors("notes");
        Assert.Single((await director.GetAsync($"/api/children/{child}/care-arrangement/history")).Array);
    }

    [Fact]
    public async Task FailingCareShowsInTheListsRaisesTheRiskWithTheReasonAndACarerUnableRaisesTheConcernInOneStep()
    {
        var county = await TestCounty.CreateAsync(app);
        var director = await county.As("director-a1");
        // Both parents away, nobody entrusted: no agreement.
        var alone = await county.ChildAsync("director-a1", county.VillageA1, risk: "low");
        var noAgreement = (await director.PutAsync($"/api/children/{alone}/care-arrangement", Arrangement())).AssertStatus(HttpStatusCode.OK);
        Assert.Equal(["no-agreement"], noAgreement.Json!["failing"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Equal("medium", (await director.GetAsync($"/api/children/{alone}")).Get<string>("riskLevel"));
        var raised = Assert.Single((await director.GetAsync($"/api/children/{alone}/risk-history")).Array)!;
        Assert.Contains("委托照护协议", raised["reason"]!.GetValue<string>());

        // An agreement in place, until the check at a home visit finds the grandmother in hospital.
        var cared = await county.ChildAsync("director-a1", county.VillageA1, risk: "low");
        (await director.PutAsync($"/api/children/{cared}/care-arrangement", Arrangement(carer: Grandmother(), agreement: Agreement()))).AssertStatus(HttpStatusCode.OK);
        Assert.DoesNotContain((await director.GetAsync("/api/care/failing")).Array, f => f!["childId"]!.GetValue<string>() == cared);
        var check = (await director.PostAsync($"/api/children/{cared}/care-arrangement/checks",
            new { at = DateTime.UtcNow.AddHours(-1), agreementInPlace = true, carerAbility = "cannot", notes = "祖母住院，孩子晚上独自在家", raiseConcern = true }))
            .AssertStatus(HttpStatusCode.OK);
        var concernId = check.Get<string>("concernId");
        Assert.Contains("carer-unable", check.Json!["arrangement"]!["failing"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Equal("high", (await director.GetAsync($"/api/children/{cared}")).Get<string>("riskLevel"));
        var concern = (await (await county.As("supervisor-a")).GetAsync($"/api/concerns/{concernId}")).AssertStatus(HttpStatusCode.OK);
        Assert.Equal("guardian-unable", concern.Get<string>("kind"));

        // The director's list and the town's, gravest first; another town sees neither; the counts per village.
        var failing = (await director.GetAsync("/api/care/failing")).Array;
        Assert.Equal([cared, alone], failing.Select(f => f!["childId"]!.GetValue<string>()));
        Assert.Equal(2, (await (await county.As("supervisor-a")).GetAsync("/api/care/failing")).Array.Count);
        Assert.Empty((await (await county.As("director-b1")).GetAsync("/api/care/failing")).Array);
        var village = Assert.Single((await (await county.As("civil")).GetAsync("/api/care/summary")).Array, v => v!["villageCode"]!.GetValue<string>() == county.VillageA1)!;
        Assert.Equal(2, village["failing"]!.GetValue<int>());
        Assert.Equal(1, village["noAgreement"]!.GetValue<int>());
        Assert.Equal(1, village["carerUnable"]!.GetValue<int>());
        Assert.Equal(2, village["recorded"]!.GetValue<int>());
        // The quarterly ledger carries the same counts per village.
        var ledger = (await (await county.As("supervisor-a")).GetAsync("/api/reports/ledger")).AssertStatus(HttpStatusCode.OK);
        var inLedger = Assert.Single(ledger.Json!["careByVillage"]!.AsArray(), v => v!["villageCode"]!.GetValue<string>() == county.VillageA1)!;
        Assert.Equal(2, inLedger["failing"]!.GetValue<int>());
        Assert.Equal(1, inLedger["carerUnable"]!.GetValue<int>());
    }

    [Fact]
    public async Task AnAgreementThatRunsOutShowsAtOnceAndRaisesTheRiskOnceByTheDailyReview()
    {
        var county = await TestCounty.CreateAsync(app);
        var director = await county.As("director-a1");
        var child = await county.ChildAsync("director-a1", county.VillageA1, risk: "low");
        (await director.PutAsync($"/api/children/{child}/care-arrangement", Arrangement(carer: Grandmother(), agreement: Agreement(untilInDays: 3)))).AssertStatus(HttpStatusCode.OK);
        try
        {
            app.Clock.Advance(TimeSpan.FromDays(5));
            director = await county.As("director-a1");
            var listed = Assert.Single((await director.GetAsync("/api/care/failing")).Array, f => f!["childId"]!.GetValue<string>() == child)!;
            Assert.Equal("agreement-expired", listed["reasons"]![0]!.GetValue<string>());

            var review = app.Services.GetRequiredService<CareReview>();
            Assert.True(await review.RunAsync(CancellationToken.None) >= 1);
            Assert.Equal("medium", (await director.GetAsync($"/api/children/{child}")).Get<string>("riskLevel"));
            // The director judges it low again (the grandmother is renewing it): the next day's review leaves it be.
            (await director.PutAsync($"/api/children/{child}/risk", new { riskLevel = "low", reason = "祖母正在续签协议，照护正常" })).AssertStatus(HttpStatusCode.OK);
            app.Clock.Advance(TimeSpan.FromDays(1));
            await review.RunAsync(CancellationToken.None);
            director = await county.As("director-a1");
            Assert.Equal("low", (await director.GetAsync($"/api/children/{child}")).Get<string>("riskLevel"));
            Assert.Equal(2, (await director.GetAsync($"/api/children/{child}/risk-history")).Array.Count);
        }
        finally
        {
            app.Clock.Reset();
        }
    }
}
