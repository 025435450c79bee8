using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Tongxin.Host.Notifications;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Notifications;

public sealed class DailyNoticeTestsOnSqlite(SqliteMatchingApp app) : DailyNoticeTests(app), IClassFixture<SqliteMatchingApp>;

public sealed class DailyNoticeTestsOnPostgres(PostgresMatchingApp app) : DailyNoticeTests(app), IClassFixture<PostgresMatchingApp>;

/// <summary>
/// What nobody's action triggers still reaches someone: a director's daily digest of late contacts and visits (one a
/// day, however often the job runs), and a contract ending or nearly used up, to civil affairs and the organisation.
/// </summary>
public abstract class DailyNoticeTests(MatchingApp app) : IDisposable
{
    public void Dispose() => app.Clock.Reset();

    private Task<int> RunDailyAsync() => app.Services.GetRequiredService<DailyNotices>().RunAsync(CancellationToken.None);

    private static async Task<List<JsonNode>> InboxAsync(Api user) =>
        (await user.GetAsync("/api/notifications")).AssertStatus(HttpStatusCode.OK).Json!["items"]!.AsArray().Select(n => n!).ToList();

    /// <summary>Forward to the next <paramref name="chinaTime"/> at least <paramref name="days"/> days on.</summary>
    private void MoveOn(int days, TimeOnly chinaTime)
    {
        var china = app.Clock.GetUtcNow().UtcDateTime.AddHours(8);
        var target = china.AddDays(days).Date + chinaTime.ToTimeSpan();
        if (target < china.AddDays(days))
        {
            target = target.AddDays(1);
        }
        app.Clock.Advance(target - china);
    }

    [Fact]
    public async Task ADirectorGetsOneDigestADayOfTheChildrenLateForContactWithoutTheirNames()
    {
        var county = await TestCounty.CreateAsync(app);
        await county.ChildAsync("director-a1", county.VillageA1);
        await county.ChildAsync("director-a1", county.VillageA1);
        await county.ChildAsync("director-b1", county.VillageB1);
        var director = await county.As("director-a1");
        (await director.PostAsync($"/api/children/{(await county.ChildAsync("director-a1", county.VillageA1))}/contacts",
            new { kind = "call", at = app.Clock.GetUtcNow().UtcDateTime.AddMinutes(-5), notes = "通话" })).AssertStatus(HttpStatusCode.Created);

        MoveOn(8, new TimeOnly(9, 0)); // a week and a day without a contact, at 09:00 China time
        await RunDailyAsync();
        await RunDailyAsync(); // a second host, or the next check: the same digest, not a second one
        director = await county.As("director-a1");
        var digest = Assert.Single(await InboxAsync(director));
        Assert.Equal("contact.overdue", digest["event"]!.GetValue<string>());
        Assert.Equal("/children", digest["link"]!.GetValue<string>());
        var text = digest["text"]!.GetValue<string>();
        Assert.Contains("3名", text); // the contacted child is late too after eight days; all three of the village
        Assert.DoesNotContain("小芳", text);
        Assert.Contains("1名", Assert.Single(await InboxAsync(await county.As("director-b1")))["text"]!.GetValue<string>());
        Assert.Empty(await InboxAsync(await county.As("director-a2"))); // no child, nothing late

        MoveOn(1, new TimeOnly(9, 0));
        await RunDailyAsync();
        Assert.Equal(2, (await InboxAsync(await county.As("director-a1"))).Count);
    }

    [Fact]
    public async Task AContractEndingOrNearlyUsedUpIsToldToCivilAffairsAndTheOrganisationOnce()
    {
        var county = await TestCounty.CreateAsync(app);
        var today = DateOnly.FromDateTime(app.Clock.GetUtcNow().UtcDateTime.AddHours(8));
        var civil = await county.As("civil");
        var contract = (await civil.PostAsync("/api/contracts", new
        {
            organisationId = county.SocialWorkOrgId, line = "counselling", title = "留守儿童心理疏导服务", regionCodes = new[] { county.TownA },
            units = 2, unitKind = "session", unitPrice = 150m, startsOn = today.AddDays(-30).ToString("yyyy-MM-dd"), endsOn = today.AddDays(20).ToString("yyyy-MM-dd"),
            fundingSource = "welfare-lottery",
        })).AssertStatus(HttpStatusCode.Created).Id;
        var child = await county.ChildAsync("director-a1", county.VillageA1);
        var shegong = await county.As("shegong");
        var report = new HttpRequestMessage(HttpMethod.Post, $"/api/contracts/{contract}/deliveries")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { childId = child, at = app.Clock.GetUtcNow().UtcDateTime.AddHours(-2), units = 2, kind = "session", notes = "个案辅导" }),
        };
        report.Headers.Add("Idempotency-Key", "daily-" + county.Code);
        (await shegong.SendAsync(report)).AssertStatus(HttpStatusCode.Created);

        await RunDailyAsync();
        await RunDailyAsync();
        foreach (var person in new[] { civil, shegong })
        {
            var notices = (await InboxAsync(person)).Where(n => n["event"]!.GetValue<string>().StartsWith("contract.", StringComparison.Ordinal)).ToList();
            Assert.Equal(["contract.ending", "contract.nearly-used"], notices.Select(n => n["event"]!.GetValue<string>()).Order());
            Assert.All(notices, n => Assert.Equal($"/contracts/{contract}", n["link"]!.GetValue<string>()));
            Assert.Contains("20天", notices.Single(n => n["event"]!.GetValue<string>() == "contract.ending")["text"]!.GetValue<string>());
            Assert.Contains("剩余0个", notices.Single(n => n["event"]!.GetValue<string>() == "contract.nearly-used")["text"]!.GetValue<string>());
        }
        Assert.DoesNotContain(await InboxAsync(await county.As("supervisor-a")), n => n["event"]!.GetValue<string>().StartsWith("contract.", StringComparison.Ordinal));
    }
}
