using System.Net;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Notifications;

public sealed class InboxTestsOnSqlite(SqliteMatchingApp app) : InboxTests(app), IClassFixture<SqliteMatchingApp>;

public sealed class InboxTestsOnPostgres(PostgresMatchingApp app) : InboxTests(app), IClassFixture<PostgresMatchingApp>;

/// <summary>
/// Nothing that waits on a person depends on that person happening to look (issue 17): an offer reaches the
/// volunteer's inbox, an answer the director's, a concern the town and civil affairs at once and its steps the one who
/// raised it; each written with the change itself, read and marked by its owner only, and carrying a given name at most.
/// </summary>
public abstract class InboxTests(MatchingApp app)
{
    private static readonly object CaringMotherNeed = new { supportKinds = new[] { "emotional-comfort", "daily-life" } };

    private static object CaringMother() => new Dictionary<string, object> { ["caring-mother"] = new { supportKinds = new[] { "emotional-comfort", "daily-life" } } };

    private static async Task<List<System.Text.Json.Nodes.JsonNode>> InboxAsync(Api user)
    {
        var page = (await user.GetAsync("/api/notifications")).AssertStatus(HttpStatusCode.OK);
        return page.Json!["items"]!.AsArray().Select(n => n!).ToList();
    }

    private static async Task<int> UnreadAsync(Api user) =>
        (await user.GetAsync("/api/notifications/unread-count")).AssertStatus(HttpStatusCode.OK).Get<int>("unread");

    [Fact]
    public async Task AnOfferReachesTheVolunteerAndItsAcceptanceTheDirectorWithAGivenNameAtMost()
    {
        var county = await TestCounty.CreateAsync(app);
        var child = await county.ChildAsync("director-a1", county.VillageA1, gender: "female", risk: "high");
        var need = await county.NeedAsync("director-a1", child, "caring-mother", CaringMotherNeed);
        var (_, volunteer) = await county.VolunteerAsync("mother", "female", county.VillageA1, ["caring-mother"], CaringMother());
        Assert.Equal(0, await UnreadAsync(volunteer));

        await county.RunMatchingAsync("caring-mother");
        var offered = Assert.Single(await InboxAsync(volunteer));
        Assert.Equal("offer.made", offered["event"]!.GetValue<string>());
        Assert.Equal("/offers", offered["link"]!.GetValue<string>());
        var text = offered["text"]!.GetValue<string>();
        Assert.Contains("小芳", text);
        Assert.Contains("爱心妈妈", text);
        ApiResponse.AssertNothingOf(offered, "张", "父母均在外务工", "high", "高");
        Assert.Equal(1, await UnreadAsync(volunteer));

        var director = await county.As("director-a1");
        Assert.Empty(await InboxAsync(director));
        var offer = Assert.Single((await volunteer.GetAsync("/api/offers?mine=true")).Array)!;
        (await volunteer.PostAsync($"/api/offers/{offer["id"]}/accept", new { })).AssertStatus(HttpStatusCode.OK);

        var accepted = Assert.Single(await InboxAsync(director));
        Assert.Equal("offer.accepted", accepted["event"]!.GetValue<string>());
        Assert.Equal($"/needs/{need}", accepted["link"]!.GetValue<string>());
        Assert.Null(accepted["readAt"]);
        Assert.Empty(await InboxAsync(await county.As("director-a2"))); // another village's director hears nothing of it

        // Marked read by its owner only; another user's notification does not exist for them.
        var id = accepted["id"]!.GetValue<string>();
        (await volunteer.PostAsync($"/api/notifications/{id}/read", new { })).AssertProblem(HttpStatusCode.NotFound);
        Assert.Equal(1, await UnreadAsync(director));
        Assert.NotNull((await director.PostAsync($"/api/notifications/{id}/read", new { })).AssertStatus(HttpStatusCode.OK).Json!["readAt"]);
        Assert.Equal(0, await UnreadAsync(director));
        var page = (await director.GetAsync("/api/notifications?unread=true")).AssertStatus(HttpStatusCode.OK);
        Assert.Equal(0, page.Get<int>("total"));
    }

    [Fact]
    public async Task ADeclineReachesTheDirectorAndReadAllClearsTheCount()
    {
        var county = await TestCounty.CreateAsync(app);
        var child = await county.ChildAsync("director-a1", county.VillageA1);
        await county.NeedAsync("director-a1", child, "caring-mother", CaringMotherNeed);
        var (_, volunteer) = await county.VolunteerAsync("busy", "female", county.VillageA1, ["caring-mother"], CaringMother());
        await county.RunMatchingAsync("caring-mother");
        var offer = Assert.Single((await volunteer.GetAsync("/api/offers?mine=true")).Array)!;
        (await volunteer.PostAsync($"/api/offers/{offer["id"]}/decline", new { reason = "这段时间外出" })).AssertStatus(HttpStatusCode.OK);

        var director = await county.As("director-a1");
        var declined = Assert.Single(await InboxAsync(director));
        Assert.Equal("offer.declined", declined["event"]!.GetValue<string>());
        Assert.DoesNotContain("外出", declined["text"]!.GetValue<string>()); // the reason is behind the link

        (await volunteer.PostAsync("/api/notifications/read-all", new { })).AssertStatus(HttpStatusCode.OK);
        Assert.Equal(0, await UnreadAsync(volunteer));
        Assert.Equal(1, await UnreadAsync(director));
        (await director.GetAsync("/api/notifications?pageSize=0")).AssertFieldErrors("pageSize");
    }

    [Fact]
    public async Task AConcernReachesTheTownAndCivilAffairsAtOnceAndItsStepsTheOneWhoRaisedIt()
    {
        var county = await TestCounty.CreateAsync(app);
        var child = await county.ChildAsync("director-a1", county.VillageA1);
        var director = await county.As("director-a1");
        var concern = (await director.PostAsync("/api/concerns", new { childId = child, kind = "suspected-injury", details = "手臂有多处淤青" }))
            .AssertStatus(HttpStatusCode.Created).Id;

        var supervisor = await county.As("supervisor-a");
        foreach (var staff in new[] { supervisor, await county.As("civil") })
        {
            var notice = Assert.Single(await InboxAsync(staff));
            Assert.Equal("concern.raised", notice["event"]!.GetValue<string>());
            Assert.Equal($"/concerns/{concern}", notice["link"]!.GetValue<string>());
            ApiResponse.AssertNothingOf(notice, "淤青", "小芳", "张");
        }
        Assert.Empty(await InboxAsync(await county.As("director-b1")));
        Assert.Empty(await InboxAsync(director)); // the one who raised it needs no notice of their own act

        (await supervisor.PostAsync($"/api/concerns/{concern}/steps", new { stage = "reported-to-police", at = DateTime.UtcNow, reference = "受字2026-1号", notes = "已报警" }))
            .AssertStatus(HttpStatusCode.OK);
        var step = Assert.Single(await InboxAsync(director));
        Assert.Equal("concern.step", step["event"]!.GetValue<string>());
        Assert.Contains("已向公安报告", step["text"]!.GetValue<string>());
        ApiResponse.AssertNothingOf(step, "已报警", "受字");
    }
}
