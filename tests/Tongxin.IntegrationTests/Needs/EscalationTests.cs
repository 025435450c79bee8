using System.Net;
using System.Text.Json.Nodes;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Needs;

public sealed class EscalationTestsOnSqlite(SqliteMatchingApp app) : EscalationTests(app), IClassFixture<SqliteMatchingApp>;

public sealed class EscalationTestsOnPostgres(PostgresMatchingApp app) : EscalationTests(app), IClassFixture<PostgresMatchingApp>;

/// <summary>
/// A need nobody answers climbs: after its line's wait to the town supervisor, after the town's week to civil
/// affairs, each step with the reason the matcher could not place it. The clock is moved; nothing else is faked.
/// </summary>
public abstract class EscalationTests(MatchingApp app)
{
    private static readonly object CounsellingNeed = new { reasonCategory = "emotional", mode = "in-person" };

    private async Task<JsonObject> SweepAsync(TestCounty county) =>
        (await (await county.As("civil")).PostAsync("/api/escalations/run", new { })).AssertStatus(HttpStatusCode.OK).Json!.AsObject();

    private static async Task<List<JsonNode>> EscalatedAsync(Api api, string query = "") =>
        (await api.GetAsync("/api/escalations" + query)).AssertStatus(HttpStatusCode.OK).Array.Select(n => n!).ToList();

    private static JsonNode? Find(IEnumerable<JsonNode> list, string needId) => list.SingleOrDefault(n => n["needId"]!.GetValue<string>() == needId);

    [Fact]
    public async Task AnUrgentCounsellingNeedWithNoCounsellorReachesTheTownAfterThreeDaysAndTheCountyAfterSix()
    {
        var county = await TestCounty.CreateAsync(app);
        var child = await county.ChildAsync("director-a1", county.VillageA1);
        var urgent = await county.NeedAsync("director-a1", child, "counselling", CounsellingNeed, urgency: "urgent");
        var normal = await county.NeedAsync("director-a1", child, "counselling", CounsellingNeed);
        try
        {
            app.Clock.Advance(TimeSpan.FromDays(3) - TimeSpan.FromHours(1));
            Assert.Equal(0, (await SweepAsync(county))["escalatedToTown"]!.GetValue<int>());
            Assert.Null(Find(await EscalatedAsync(await county.As("supervisor-a")), urgent));

            app.Clock.Advance(TimeSpan.FromHours(2));
            var sweep = await SweepAsync(county);
            Assert.Equal(1, sweep["escalatedToTown"]!.GetValue<int>());
            Assert.Equal(0, sweep["escalatedToCounty"]!.GetValue<int>());

            // The town supervisor sees it, with why: nobody in the county gives counselling at all.
            var atTown = Find(await EscalatedAsync(await county.As("supervisor-a")), urgent)!;
            Assert.Equal("town", atTown["level"]!.GetValue<string>());
            var step = atTown["steps"]!.AsArray().Single()!;
            Assert.Equal("no-provider", step["reasonCode"]!.GetValue<string>());
            Assert.Equal("本县没有提供这项服务的志愿者或项目", step["reason"]!.GetValue<string>());
            Assert.Equal(0, step["funnel"]!["onLine"]!.GetValue<int>());
            Assert.Null(Find(await EscalatedAsync(await county.As("supervisor-a")), normal)); // not urgent: two weeks
            // The director sees it has climbed; civil affairs does not yet (unless it asks for the town level).
            Assert.NotNull(Find(await EscalatedAsync(await county.As("director-a1")), urgent));
            Assert.Null(Find(await EscalatedAsync(await county.As("director-b1")), urgent));
            Assert.Null(Find(await EscalatedAsync(await county.As("civil")), urgent));
            Assert.NotNull(Find(await EscalatedAsync(await county.As("civil"), "?level=town"), urgent));
            var listed = (await (await county.As("director-a1")).GetAsync($"/api/needs?regionCode={county.VillageA1}")).Array;
            Assert.Equal("town", listed.Single(n => n!["id"]!.GetValue<string>() == urgent)!["escalation"]!.GetValue<string>());

            // Sweeping again changes nothing; three more days and it reaches civil affairs.
            Assert.Equal(0, (await SweepAsync(county))["escalatedToTown"]!.GetValue<int>());
            app.Clock.Advance(TimeSpan.FromDays(3));
            Assert.Equal(1, (await SweepAsync(county))["escalatedToCounty"]!.GetValue<int>());
            var atCounty = Find(await EscalatedAsync(await county.As("civil")), urgent)!;
            Assert.Equal("county", atCounty["level"]!.GetValue<string>());
            Assert.Equal(["town", "county"], atCounty["steps"]!.AsArray().Select(s => s!["level"]!.GetValue<string>()));

            // Two weeks in all: the ordinary need reaches the town too.
            app.Clock.Advance(TimeSpan.FromDays(8));
            await SweepAsync(county);
            Assert.Equal("town", Find(await EscalatedAsync(await county.As("supervisor-a")), normal)!["level"]!.GetValue<string>());
        }
        finally
        {
            app.Clock.Reset();
        }
    }

    [Fact]
    public async Task EachLineWaitsItsOwnTimeAndTheReasonSaysWhatStoodInTheWay()
    {
        var county = await TestCounty.CreateAsync(app);
        var girl = await county.ChildAsync("director-a1", county.VillageA1, gender: "female");
        var boy = await county.ChildAsync("director-a2", county.VillageA2, gender: "male");
        // Caring Mother: only a man volunteers — the line's own rule stands in the way.
        await county.VolunteerAsync("uncle", "male", county.VillageA1, ["caring-mother"],
            new Dictionary<string, object> { ["caring-mother"] = new { supportKinds = new[] { "emotional-comfort", "daily-life" } } });
        var mother = await county.NeedAsync("director-a1", girl, "caring-mother", new { supportKinds = new[] { "emotional-comfort" } });
        // Tutoring: a tutor who is not vetted.
        await county.VolunteerAsync("tutor", "female", county.VillageA2, ["tutoring"],
            new Dictionary<string, object> { ["tutoring"] = new { subjects = new[] { "maths" }, gradeMin = 1, gradeMax = 6, modes = new[] { "in-person" } } }, vetted: false);
        var tutoring = await county.NeedAsync("director-a2", boy, "tutoring", new { subject = "maths", grade = 4, schedule = new[] { "weekday-afternoon" }, mode = "in-person" });
        // Holiday: a summer camp with seats that starts in 20 days; nobody has run matching yet.
        var startsOn = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8).AddDays(20));
        (await (await county.As("fulian")).PostAsync("/api/programmes", new
        {
            line = "holiday-activities",
            title = "七彩假期·防溺水夏令营",
            regionCodes = new[] { county.TownA },
            seats = 10,
            startsOn = startsOn.ToString("yyyy-MM-dd"),
            endsOn = startsOn.AddDays(10).ToString("yyyy-MM-dd"),
            ageMin = 6,
            ageMax = 14,
            fundingSource = "团县委专项",
            details = new { activities = new[] { "sport" }, period = "summer" },
        })).AssertStatus(HttpStatusCode.Created);
        var holiday = await county.NeedAsync("director-a1", girl, "holiday-activities", new { interests = new[] { "sport" }, period = "summer" });
        try
        {
            app.Clock.Advance(TimeSpan.FromDays(14) + TimeSpan.FromHours(1));
            await SweepAsync(county);
            var atTown = await EscalatedAsync(await county.As("supervisor-a"));
            Assert.Equal("no-vetted-provider", Find(atTown, tutoring)!["steps"]![0]!["reasonCode"]!.GetValue<string>());
            Assert.Null(Find(atTown, mother));  // 30 days for a Caring Mother
            Assert.Null(Find(atTown, holiday)); // until the camp starts

            // The camp starts (midnight, China time): the holiday need has not been placed in time.
            var campStarts = new DateTimeOffset(startsOn.ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(8));
            app.Clock.Advance(campStarts - app.Clock.GetUtcNow() + TimeSpan.FromMinutes(5));
            await SweepAsync(county);
            var camp = Find(await EscalatedAsync(await county.As("supervisor-a")), holiday)!;
            Assert.Equal("not-yet-placed", camp["steps"]![0]!["reasonCode"]!.GetValue<string>());
            Assert.Equal(1, camp["steps"]![0]!["funnel"]!["withRoom"]!.GetValue<int>());
            Assert.Equal(campStarts.UtcDateTime, camp["steps"]![0]!["dueAt"]!.GetValue<DateTime>().ToUniversalTime());

            app.Clock.Advance(TimeSpan.FromDays(30) - (app.Clock.GetUtcNow() - DateTimeOffset.UtcNow) + TimeSpan.FromHours(1));
            await SweepAsync(county);
            var step = Find(await EscalatedAsync(await county.As("supervisor-a")), mother)!["steps"]![0]!;
            Assert.Equal("line-rules", step["reasonCode"]!.GetValue<string>());
            Assert.StartsWith("caring-mother.", step["lineRuleCode"]!.GetValue<string>());
            Assert.False(string.IsNullOrWhiteSpace(step["lineRule"]!.GetValue<string>()));
        }
        finally
        {
            app.Clock.Reset();
        }
    }

    [Fact]
    public async Task ANeedPlacedInTimeNeverClimbsAndOnePlacedLateLeavesTheLists()
    {
        var county = await TestCounty.CreateAsync(app);
        var first = await county.ChildAsync("director-a1", county.VillageA1);
        var second = await county.ChildAsync("director-a1", county.VillageA1);
        var (_, tutor) = await county.VolunteerAsync("tutor", "female", county.VillageA1, ["tutoring"],
            new Dictionary<string, object> { ["tutoring"] = new { subjects = new[] { "maths" }, gradeMin = 1, gradeMax = 6, modes = new[] { "in-person" } } }, capacity: 1);
        var tutoringNeed = new { subject = "maths", grade = 4, schedule = new[] { "weekday-afternoon" }, mode = "in-person" };
        var placed = await county.NeedAsync("director-a1", first, "tutoring", tutoringNeed);
        await county.RunMatchingAsync("tutoring");
        var offer = (await tutor.GetAsync("/api/offers?mine=true")).Array.Single()!;
        (await tutor.PostAsync($"/api/offers/{offer["id"]}/accept", new { })).AssertStatus(HttpStatusCode.OK);
        var waiting = await county.NeedAsync("director-a1", second, "tutoring", tutoringNeed);
        // A second tutor has registered, but her vetting is not back yet.
        var (secondTutorId, _) = await county.VolunteerAsync("tutor2", "female", county.VillageA1, ["tutoring"],
            new Dictionary<string, object> { ["tutoring"] = new { subjects = new[] { "maths" }, gradeMin = 1, gradeMax = 6, modes = new[] { "in-person" } } }, vetted: false);
        try
        {
            app.Clock.Advance(TimeSpan.FromDays(15));
            Assert.Equal(1, (await SweepAsync(county))["escalatedToTown"]!.GetValue<int>());
            var list = await EscalatedAsync(await county.As("supervisor-a"));
            Assert.Null(Find(list, placed));
            var step = Find(list, waiting)!["steps"]![0]!;
            Assert.Equal("all-full", step["reasonCode"]!.GetValue<string>());
            Assert.Equal(2, step["funnel"]!["onLine"]!.GetValue<int>());
            Assert.Equal(1, step["funnel"]!["vetted"]!.GetValue<int>());

            // Her vetting comes back; once the need is placed it leaves the list (its steps stay on record).
            (await (await county.As("civil")).PutAsync($"/api/volunteers/{secondTutorId}/vetting", new
            {
                status = "passed",
                checkedAt = app.Clock.GetUtcNow().UtcDateTime.AddDays(-1),
                expiresAt = app.Clock.GetUtcNow().UtcDateTime.AddYears(1),
                reference = "PSB-2026-tutor2",
            })).AssertStatus(HttpStatusCode.OK);
            await county.RunMatchingAsync("tutoring");
            var offer2 = (await (await county.As("tutor2")).GetAsync("/api/offers?mine=true")).Array.Single()!;
            (await (await county.As("tutor2")).PostAsync($"/api/offers/{offer2["id"]}/accept", new { })).AssertStatus(HttpStatusCode.OK);
            Assert.Null(Find(await EscalatedAsync(await county.As("supervisor-a")), waiting));
            app.Clock.Advance(TimeSpan.FromDays(10));
            Assert.Equal(0, (await SweepAsync(county))["escalatedToCounty"]!.GetValue<int>());
        }
        finally
        {
            app.Clock.Reset();
        }
    }

    [Fact]
    public async Task OnlyCivilAffairsSweepsAndALevelMustBeTownOrCounty()
    {
        var county = await TestCounty.CreateAsync(app);
        (await (await county.As("supervisor-a")).PostAsync("/api/escalations/run", new { })).AssertProblem(HttpStatusCode.Forbidden);
        (await (await county.As("fulian")).GetAsync("/api/escalations")).AssertProblem(HttpStatusCode.Forbidden);
        (await (await county.As("civil")).GetAsync("/api/escalations?level=village")).AssertFieldErrors("level");
        (await (await county.As("civil")).GetAsync("/api/escalations?level=province")).AssertFieldErrors("level");
        (await (await county.As("supervisor-a")).GetAsync($"/api/escalations?regionCode={county.TownB}")).AssertProblem(HttpStatusCode.Forbidden);
    }
}
