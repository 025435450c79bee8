using System.Net;
using System.Net.Http.Json;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.FieldWork;

public sealed class FieldRecordTestsOnSqlite(SqliteMatchingApp app) : FieldRecordTests(app), IClassFixture<SqliteMatchingApp>;

public sealed class FieldRecordTestsOnPostgres(PostgresMatchingApp app) : FieldRecordTests(app), IClassFixture<PostgresMatchingApp>;

/// <summary>
/// Calls, home visits and sessions recorded on a phone out of signal reach the host later, maybe twice: each is stored
/// once, dated when it happened, within the backfill window (issue 18).
/// </summary>
public abstract class FieldRecordTests(MatchingApp app)
{
    private static readonly object CaringMother = new Dictionary<string, object> { ["caring-mother"] = new { supportKinds = new[] { "daily-life" } } };

    private static Task<ApiResponse> SendWithKeyAsync(Api api, string path, object body, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return api.SendAsync(request);
    }

    [Fact]
    public async Task AVisitRecordedOfflineAndSentThreeTimesIsStoredOnceDatedWhenItHappened()
    {
        var county = await TestCounty.CreateAsync(app);
        var child = await county.ChildAsync("director-a1", county.VillageA1);
        var director = await county.As("director-a1");
        var visitedAt = DateTime.UtcNow.AddDays(-3).AddHours(-2);
        var visit = new { kind = "home-visit", at = visitedAt, notes = "奶奶腿脚不便，孩子作业按时完成" };

        // The phone's queue sends it while the connection flickers: two copies at once, then a third after a timeout.
        var first = await Task.WhenAll(
            SendWithKeyAsync(director, $"/api/children/{child}/contacts", visit, "visit-key-1"),
            SendWithKeyAsync(director, $"/api/children/{child}/contacts", visit, "visit-key-1"));
        var third = await SendWithKeyAsync(director, $"/api/children/{child}/contacts", visit, "visit-key-1");
        var answers = first.Append(third).Select(r => r.AssertStatus(HttpStatusCode.Created)).ToList();
        Assert.Single(answers.Select(a => a.Id).Distinct());
        Assert.Equal(2, answers.Count(a => a.Get<bool>("replayed")));

        var contacts = (await director.GetAsync($"/api/children/{child}/contacts")).Array;
        var stored = Assert.Single(contacts)!;
        Assert.Equal(visitedAt, stored["at"]!.GetValue<DateTime>(), TimeSpan.FromMilliseconds(1));
        Assert.Equal(visitedAt, (await director.GetAsync($"/api/children/{child}")).Get<DateTime>("lastHomeVisitAt"), TimeSpan.FromMilliseconds(1));

        // The same key with another record is a client's mistake, not a replay: refused, nothing stored.
        var other = await SendWithKeyAsync(director, $"/api/children/{child}/contacts", visit with { notes = "另一次" }, "visit-key-1");
        other.AssertProblem(HttpStatusCode.Conflict);
        Assert.NotNull(other.Json!["errors"]!["Idempotency-Key"]);
        // Another director using the same key on their own child stores their own record.
        var childB = await county.ChildAsync("director-b1", county.VillageB1);
        (await SendWithKeyAsync(await county.As("director-b1"), $"/api/children/{childB}/contacts", visit, "visit-key-1")).AssertStatus(HttpStatusCode.Created);
        // Without a key (a record made online, as before) each request is its own record.
        (await director.PostAsync($"/api/children/{child}/contacts", new { kind = "call", at = DateTime.UtcNow, notes = "" })).AssertStatus(HttpStatusCode.Created);
        (await director.PostAsync($"/api/children/{child}/contacts", new { kind = "call", at = DateTime.UtcNow, notes = "" })).AssertStatus(HttpStatusCode.Created);
        Assert.Equal(3, (await director.GetAsync($"/api/children/{child}/contacts")).Array.Count);
    }

    [Fact]
    public async Task ARecordOlderThanThirtyDaysIsRefusedNamingAtButARetryOfOneStoredInTimeIsNot()
    {
        var county = await TestCounty.CreateAsync(app);
        var child = await county.ChildAsync("director-a1", county.VillageA1);
        var director = await county.As("director-a1");

        var tooOld = await director.PostAsync($"/api/children/{child}/contacts", new { kind = "call", at = DateTime.UtcNow.AddDays(-31), notes = "" });
        tooOld.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("30", tooOld.Json!["errors"]!["at"]![0]!.GetValue<string>());
        Assert.Empty((await director.GetAsync($"/api/children/{child}/contacts")).Array);
        (await director.PostAsync($"/api/children/{child}/contacts", new { kind = "call", at = DateTime.UtcNow.AddDays(2), notes = "" })).AssertFieldErrors("at");
        (await SendWithKeyAsync(director, $"/api/children/{child}/contacts", new { kind = "call", at = DateTime.UtcNow, notes = "" }, new string('k', 101)))
            .AssertFieldErrors("Idempotency-Key");

        var call = new { kind = "call", at = DateTime.UtcNow.AddDays(-29), notes = "电话未接通，晚上再打" };
        var stored = (await SendWithKeyAsync(director, $"/api/children/{child}/contacts", call, "late-call")).AssertStatus(HttpStatusCode.Created);
        try
        {
            // Two days on the phone never heard the answer and sends it again: the same answer, not a refusal.
            // (Their sign-in has expired meanwhile: they sign in again before the queue is sent.)
            app.Clock.Advance(TimeSpan.FromDays(2));
            var again = (await SendWithKeyAsync(await county.As("director-a1"), $"/api/children/{child}/contacts", call, "late-call")).AssertStatus(HttpStatusCode.Created);
            Assert.Equal(stored.Id, again.Id);
            Assert.True(again.Get<bool>("replayed"));
        }
        finally
        {
            app.Clock.Reset();
        }
        Assert.Single((await director.GetAsync($"/api/children/{child}/contacts")).Array);

        // A director of another village cannot record anything about the child, queued or not.
        (await SendWithKeyAsync(await county.As("director-b1"), $"/api/children/{child}/contacts", call, "late-call-b")).AssertProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ASessionQueuedOfflineIsStoredOnceAndTheQueueLearnsWhenThePairingHasEnded()
    {
        var county = await TestCounty.CreateAsync(app);
        var child = await county.ChildAsync("director-a1", county.VillageA1, risk: "low");
        await county.NeedAsync("director-a1", child, "caring-mother", new { supportKinds = new[] { "daily-life" } });
        var (_, volunteer) = await county.VolunteerAsync("mother", "female", county.VillageA1, ["caring-mother"], CaringMother);
        await county.RunMatchingAsync("caring-mother");
        var offer = Assert.Single((await volunteer.GetAsync("/api/offers?mine=true")).Array)!;
        var pairing = (await volunteer.PostAsync($"/api/offers/{offer["id"]}/accept", new { })).AssertStatus(HttpStatusCode.OK).Get<string>("pairingId");

        var heldAt = DateTime.UtcNow.AddDays(-2);
        var session = new { at = heldAt, minutes = 90, notes = "一起包饺子，聊学校的事" };
        var copies = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => SendWithKeyAsync(volunteer, $"/api/pairings/{pairing}/sessions", session, "session-key-1")));
        Assert.All(copies, c => c.AssertStatus(HttpStatusCode.Created));
        Assert.Single(copies.Select(c => c.Id).Distinct());
        var sessions = (await volunteer.GetAsync($"/api/pairings/{pairing}")).Json!["sessions"]!.AsArray();
        Assert.Equal(heldAt, Assert.Single(sessions)!["at"]!.GetValue<DateTime>(), TimeSpan.FromMilliseconds(1));
        // The child's care record (what the director reads) counts it once.
        var care = (await (await county.As("director-a1")).GetAsync($"/api/children/{child}/care-record")).Json!;
        Assert.Equal(1, care["pairings"]![0]!["sessions"]!.GetValue<int>());

        var tooOld = await volunteer.PostAsync($"/api/pairings/{pairing}/sessions", new { at = DateTime.UtcNow.AddDays(-31), minutes = 60, notes = "" });
        tooOld.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(tooOld.Json!["errors"]!["at"]);

        // The director ends the pairing while the phone is still out of signal: the session already stored gets its answer,
        // a new one is refused with the reason.
        (await (await county.As("director-a1")).PostAsync($"/api/pairings/{pairing}/end", new { reason = "孩子随父母去广东" })).AssertStatus(HttpStatusCode.OK);
        (await SendWithKeyAsync(volunteer, $"/api/pairings/{pairing}/sessions", session, "session-key-1")).AssertStatus(HttpStatusCode.Created);
        var refused = await SendWithKeyAsync(volunteer, $"/api/pairings/{pairing}/sessions", session with { notes = "又去看了她" }, "session-key-2");
        refused.AssertProblem(HttpStatusCode.Conflict);
        Assert.False(string.IsNullOrWhiteSpace(refused.Json!["detail"]!.GetValue<string>()));
        Assert.Single((await volunteer.GetAsync($"/api/pairings/{pairing}")).Json!["sessions"]!.AsArray());
    }
}
