using System.Net;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Children;

public sealed class CloseAndMoveTestsOnSqlite(SqliteMatchingApp app) : CloseAndMoveTests(app), IClassFixture<SqliteMatchingApp>;

public sealed class CloseAndMoveTestsOnPostgres(PostgresMatchingApp app) : CloseAndMoveTests(app), IClassFixture<PostgresMatchingApp>;

/// <summary>A file is closed with a reason and kept; it moves village by the supervisor's hand; neither strands an open need.</summary>
public abstract class CloseAndMoveTests(MatchingApp app)
{
    private static readonly object MotherNeed = new { supportKinds = new[] { "emotional-comfort" } };

    [Fact]
    public async Task AClosedFileIsKeptLeavesTheRhythmAndTakesNoNewNeeds()
    {
        var county = await TestCounty.CreateAsync(app);
        var director = await county.As("director-a1");
        var child = await county.ChildAsync("director-a1", county.VillageA1);
        var need = await county.NeedAsync("director-a1", child, "caring-mother", MotherNeed);

        // An open need stops the closing, and nothing changes.
        var busy = (await director.PostAsync($"/api/children/{child}/close", new { reason = "年满16周岁" })).AssertProblem(HttpStatusCode.Conflict);
        Assert.Contains("1", busy.Json!["detail"]!.GetValue<string>());
        Assert.Null((await director.GetAsync($"/api/children/{child}")).Json!["closedAt"]);
        (await director.PostAsync($"/api/children/{child}/close", new { reason = "" })).AssertFieldErrors("reason");

        (await director.PostAsync($"/api/needs/{need}/cancel", new { reason = "另有安排" })).AssertStatus(HttpStatusCode.OK);
        (await director.PostAsync($"/api/children/{child}/close", new { reason = "年满16周岁" })).AssertStatus(HttpStatusCode.OK);
        var file = (await director.GetAsync($"/api/children/{child}")).AssertStatus(HttpStatusCode.OK);
        Assert.NotNull(file.Json!["closedAt"]);
        Assert.Equal("年满16周岁", file.Get<string>("closedReason"));
        (await director.PostAsync($"/api/children/{child}/close", new { reason = "再次" })).AssertProblem(HttpStatusCode.Conflict);
        (await director.PostAsync($"/api/children/{child}/needs", new { line = "caring-mother", details = MotherNeed, urgency = "normal" }))
            .AssertProblem(HttpStatusCode.UnprocessableEntity);
        var overdue = (await director.GetAsync("/api/followups/overdue")).AssertStatus(HttpStatusCode.OK).Array;
        Assert.DoesNotContain(overdue, o => o!["childId"]!.GetValue<string>() == child);
    }

    [Fact]
    public async Task TheSupervisorMovesAFileWithinTheTownAndTheNewDirectorHasIt()
    {
        var county = await TestCounty.CreateAsync(app);
        var child = await county.ChildAsync("director-a1", county.VillageA1);
        var supervisor = await county.As("supervisor-a");
        (await (await county.As("director-a1")).PostAsync($"/api/children/{child}/move", new { villageCode = county.VillageA2, reason = "搬家" }))
            .AssertProblem(HttpStatusCode.Forbidden);
        (await supervisor.PostAsync($"/api/children/{child}/move", new { villageCode = county.VillageB1, reason = "搬家" })).AssertProblem(HttpStatusCode.Forbidden);
        (await supervisor.PostAsync($"/api/children/{child}/move", new { villageCode = "nowhere", reason = "搬家" })).AssertFieldErrors("villageCode");

        var need = await county.NeedAsync("director-a1", child, "caring-mother", MotherNeed);
        (await supervisor.PostAsync($"/api/children/{child}/move", new { villageCode = county.VillageA2, reason = "搬家" })).AssertProblem(HttpStatusCode.Conflict);
        (await (await county.As("director-a1")).PostAsync($"/api/needs/{need}/cancel", new { reason = "搬家后重新申请" })).AssertStatus(HttpStatusCode.OK);

        (await supervisor.PostAsync($"/api/children/{child}/move", new { villageCode = county.VillageA2, reason = "随祖母搬到甲二村" })).AssertStatus(HttpStatusCode.OK);
        (await (await county.As("director-a1")).GetAsync($"/api/children/{child}")).AssertProblem(HttpStatusCode.NotFound);
        var file = (await (await county.As("director-a2")).GetAsync($"/api/children/{child}")).AssertStatus(HttpStatusCode.OK);
        Assert.Equal(county.VillageA2, file.Get<string>("villageCode"));
        // Civil affairs moves across towns.
        (await (await county.As("civil")).PostAsync($"/api/children/{child}/move", new { villageCode = county.VillageB1, reason = "迁往乙镇" })).AssertStatus(HttpStatusCode.OK);
        Assert.Equal(county.VillageB1, (await (await county.As("director-b1")).GetAsync($"/api/children/{child}")).Get<string>("villageCode"));
    }
}
