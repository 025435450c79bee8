using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tongxin.Host.Persistence;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Safeguarding;

public sealed class SafeguardingTestsOnSqlite(SqliteSafeguardingApp app) : SafeguardingTests(app), IClassFixture<SqliteSafeguardingApp>;

public sealed class SafeguardingTestsOnPostgres(PostgresSafeguardingApp app) : SafeguardingTests(app), IClassFixture<PostgresSafeguardingApp>;

/// <summary>The software carries the duty of care: concerns climb, consent binds, rhythm is watched, secrets stay secret.</summary>
public abstract class SafeguardingTests(SafeguardingApp app)
{
    private static readonly object CaringMother = new Dictionary<string, object> { ["caring-mother"] = new { supportKinds = new[] { "daily-life" } } };

    /// <summary>A child paired with a volunteer through the real flow; returns the ids and the volunteer's client.</summary>
    private async Task<(string Child, string Pairing, Api Volunteer)> PairedChildAsync(TestCounty county, string name = "mother")
    {
        var child = await county.ChildAsync("director-a1", county.VillageA1, risk: "low");
        await county.NeedAsync("director-a1", child, "caring-mother", new { supportKinds = new[] { "daily-life" } });
        var (_, volunteer) = await county.VolunteerAsync(name, "female", county.VillageA1, ["caring-mother"], CaringMother);
        await county.RunMatchingAsync("caring-mother");
        var offer = Assert.Single((await volunteer.GetAsync("/api/offers?mine=true")).Array)!;
        var pairing = (await volunteer.PostAsync($"/api/offers/{offer["id"]}/accept", new { })).AssertStatus(HttpStatusCode.OK).Get<string>("pairingId");
        return (child, pairing, volunteer);
    }

    [Fact]
    public async Task AVolunteersConcernReachesStaffAtOnceRaisesTheRiskAndWalksTheChain()
    {
        var county = await TestCounty.CreateAsync(app);
        var (child, _, volunteer) = await PairedChildAsync(county);
        var raised = (await volunteer.PostAsync("/api/concerns", new { childId = child, kind = "suspected-injury", details = "手臂有多处淤青，孩子说是摔的" }))
            .AssertStatus(HttpStatusCode.Created);
        var concern = raised.Id;

        // The town supervisor and civil affairs are told at once, and see it with its details.
        var notice = Assert.Single(app.Notifier.Notices, n => n.ConcernId == concern);
        Assert.Equal(2, notice.RecipientUserIds.Count);
        var supervisor = await county.As("supervisor-a");
        var listed = Assert.Single((await supervisor.GetAsync("/api/concerns?status=open")).Array, c => c!["id"]!.GetValue<string>() == concern)!;
        Assert.Equal("手臂有多处淤青，孩子说是摔的", listed["details"]!.GetValue<string>());
        Assert.Single((await (await county.As("civil")).GetAsync("/api/concerns")).Array, c => c!["id"]!.GetValue<string>() == concern);

        // The volunteer follows the status only.
        var own = Assert.Single((await volunteer.GetAsync("/api/concerns")).Array)!;
        Assert.Equal("discovered", own["stage"]!.GetValue<string>());
        ApiResponse.AssertNothingOf(own, "淤青", "childId", "details", "steps");

        // A concern raises the file's risk, and the history says why.
        var history = (await (await county.As("director-a1")).GetAsync($"/api/children/{child}/risk-history")).Array;
        var change = Assert.Single(history)!;
        Assert.Equal("high", change["to"]!.GetValue<string>());
        Assert.Equal(concern, change["concernId"]!.GetValue<string>());

        // The chain goes in order, and a police report needs its reference.
        var director = await county.As("director-a1");
        (await director.PostAsync($"/api/concerns/{concern}/steps", new { stage = "assessed", at = DateTime.UtcNow, notes = "" })).AssertProblem(HttpStatusCode.Conflict);
        (await director.PostAsync($"/api/concerns/{concern}/steps", new { stage = "reported-to-police", at = DateTime.UtcNow, notes = "" })).AssertFieldErrors("reference");
        var reported = (await director.PostAsync($"/api/concerns/{concern}/steps", new { stage = "reported-to-police", at = DateTime.UtcNow, reference = "云公(南溪)受字2026-118号", notes = "已电话报警并到派出所登记" }))
            .AssertStatus(HttpStatusCode.OK);
        Assert.Equal("云公(南溪)受字2026-118号", reported.Get<string>("policeReference"));
        var afterSteps = (await supervisor.PostAsync($"/api/concerns/{concern}/steps", new { stage = "assessed", at = DateTime.UtcNow, notes = "监护评估：祖母无力照护" })).AssertStatus(HttpStatusCode.OK);
        Assert.Equal(["discovered", "reported-to-police", "assessed"], afterSteps.Json!["steps"]!.AsArray().Select(s => s!["step"]!.GetValue<string>()));
        Assert.All(afterSteps.Json["steps"]!.AsArray(), s => Assert.NotNull(s!["byUserId"]));

        // It cannot be deleted: there is no such route.
        using var delete = await supervisor.Http.DeleteAsync($"/api/concerns/{concern}");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, delete.StatusCode);
        // Someone with no contact with the child cannot raise one about them.
        var (_, stranger) = await county.VolunteerAsync("stranger", "female", county.VillageB1, ["caring-mother"], CaringMother);
        (await stranger.PostAsync("/api/concerns", new { childId = child, kind = "other", details = "x" })).AssertProblem(HttpStatusCode.NotFound);
        (await director.PostAsync("/api/concerns", new { childId = child, kind = "abduction", details = "x" })).AssertFieldErrors("kind");
    }

    [Fact]
    public async Task AConcernNotReportedToPoliceInTimeEscalates()
    {
        var county = await TestCounty.CreateAsync(app);
        var child = await county.ChildAsync("director-a1", county.VillageA1);
        var director = await county.As("director-a1");
        var late = (await director.PostAsync("/api/concerns", new { childId = child, kind = "alone-without-guardian", details = "孩子独自在家三天" })).Id;
        var handled = (await director.PostAsync("/api/concerns", new { childId = child, kind = "guardian-unable", details = "祖母住院" })).Id;
        (await director.PostAsync($"/api/concerns/{handled}/steps", new { stage = "reported-to-police", at = DateTime.UtcNow, reference = "110-2026-1", notes = "" }))
            .AssertStatus(HttpStatusCode.OK);

        app.Clock.Advance(TimeSpan.FromHours(25));
        try
        {
            var civil = await county.As("civil");
            var escalated = (await civil.GetAsync("/api/concerns?status=escalated")).Array.Select(c => c!["id"]!.GetValue<string>()).ToList();
            Assert.Contains(late, escalated);
            Assert.DoesNotContain(handled, escalated);
            var steps = (await civil.GetAsync($"/api/concerns/{late}")).Json!["steps"]!.AsArray().Select(s => s!["step"]!.GetValue<string>());
            Assert.Contains("escalated", steps);
            Assert.Contains(app.Notifier.Notices, n => n.ConcernId == late && n.Escalated);
        }
        finally
        {
            app.Clock.Reset();
        }
    }

    [Fact]
    public async Task TheRiskLevelChangesOnlyWithAReasonAndTheHistoryIsKept()
    {
        var county = await TestCounty.CreateAsync(app);
        var child = await county.ChildAsync("director-a1", county.VillageA1, risk: "low");
        var director = await county.As("director-a1");
        (await director.PutAsync($"/api/children/{child}/risk", new { riskLevel = "medium" })).AssertFieldErrors("reason");
        var update = SampleCounty.ChildBody(county.VillageA1);
        update["riskLevel"] = "high";
        update["version"] = 1;
        (await director.PutAsync($"/api/children/{child}", update)).AssertFieldErrors("riskReason");
        (await director.PutAsync($"/api/children/{child}/risk", new { riskLevel = "medium", reason = "母亲返乡后又外出" })).AssertStatus(HttpStatusCode.OK);
        (await (await county.As("supervisor-a")).PutAsync($"/api/children/{child}/risk", new { riskLevel = "high", reason = "督导走访发现辍学迹象" })).AssertStatus(HttpStatusCode.OK);

        var history = (await director.GetAsync($"/api/children/{child}/risk-history")).Array;
        Assert.Equal([("low", "medium"), ("medium", "high")], history.Select(h => (h!["from"]!.GetValue<string>(), h["to"]!.GetValue<string>())));
        Assert.Equal("督导走访发现辍学迹象", history[1]!["reason"]!.GetValue<string>());
        Assert.Equal("high", (await director.GetAsync($"/api/children/{child}")).Get<string>("riskLevel"));
    }

    [Fact]
    public async Task WithdrawingConsentSuspendsThePairingAtOnceAndBlocksNeedsAndDeliveries()
    {
        var county = await TestCounty.CreateAsync(app);
        var (child, pairing, volunteer) = await PairedChildAsync(county);
        (await volunteer.GetAsync($"/api/pairings/{pairing}")).AssertStatus(HttpStatusCode.OK);
        var director = await county.As("director-a1");

        var withdrawn = (await director.PostAsync($"/api/children/{child}/consent/withdraw", new { reason = "父亲来电不同意" })).AssertStatus(HttpStatusCode.OK);
        Assert.Equal(1, withdrawn.Get<int>("pairingsSuspended"));
        // The volunteer loses access on the very next request.
        (await volunteer.GetAsync($"/api/pairings/{pairing}")).AssertProblem(HttpStatusCode.NotFound);
        Assert.Empty((await volunteer.GetAsync("/api/pairings?mine=true")).Array);
        (await volunteer.PostAsync($"/api/pairings/{pairing}/sessions", new { at = DateTime.UtcNow, minutes = 30, notes = "x" })).AssertProblem(HttpStatusCode.NotFound);
        // No new need, no delivery without consent, each 422 naming it.
        var need = await director.PostAsync($"/api/children/{child}/needs", new { line = "tutoring", details = new { subject = "maths", grade = 3, schedule = new[] { "weekend-morning" }, mode = "online" }, urgency = "normal" });
        need.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(need.Json!["errors"]!["guardianConsent"]);
        var contract = (await (await county.As("civil")).PostAsync("/api/contracts", new
        {
            organisationId = county.SocialWorkOrgId, line = "home-visit", regionCodes = new[] { county.TownA }, units = 5, unitKind = "visit", unitPrice = 50m,
            startsOn = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(-10)).ToString("yyyy-MM-dd"), endsOn = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(10)).ToString("yyyy-MM-dd"), fundingSource = "budget",
        })).Id;
        var delivery = new HttpRequestMessage(HttpMethod.Post, $"/api/contracts/{contract}/deliveries")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { childId = child, at = DateTime.UtcNow.AddHours(-1), units = 1, kind = "visit", notes = "" }),
        };
        delivery.Headers.Add("Idempotency-Key", "no-consent");
        var refused = await (await county.As("shegong")).SendAsync(delivery);
        refused.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(refused.Json!["errors"]!["guardianConsent"]);

        // Consent again: the pairing goes on.
        (await director.PutAsync($"/api/children/{child}/consent", new { by = "张父", relation = "father", recordedAt = DateTime.UtcNow, purposes = new[] { "matching" } }))
            .AssertStatus(HttpStatusCode.NoContent);
        Assert.Equal("active", (await volunteer.GetAsync($"/api/pairings/{pairing}")).Get<string>("status"));
        Assert.Equal(["matching"], (await director.GetAsync($"/api/children/{child}")).Json!["guardianConsent"]!["purposes"]!.AsArray().Select(p => p!.GetValue<string>()));
    }

    [Fact]
    public async Task LateContactsAndVisitsAreListedWithPriorityChildrenTwiceAsOften()
    {
        var county = await TestCounty.CreateAsync(app);
        var ordinary = await county.ChildAsync("director-a1", county.VillageA1, gender: "male", risk: "low");
        var priority = await county.ChildAsync("director-a1", county.VillageA1, gender: "male", risk: "high");
        var visited = await county.ChildAsync("director-a1", county.VillageA1, gender: "male", risk: "low");
        var director = await county.As("director-a1");

        app.Clock.Advance(TimeSpan.FromDays(5));
        try
        {
            director = await county.As("director-a1"); // tokens age with the clock
            (await director.PostAsync($"/api/children/{visited}/contacts", new { kind = "home-visit", at = DateTime.UtcNow.AddDays(5), notes = "家访" })).AssertStatus(HttpStatusCode.Created);
            // Day 5: only the priority child (contact every 3.5 days) is late.
            var overdue = (await director.GetAsync("/api/followups/overdue")).Array.Where(c => c!["contactOverdueDays"]!.GetValue<double>() > 0)
                .Select(c => c!["childId"]!.GetValue<string>()).ToList();
            Assert.Contains(priority, overdue);
            Assert.DoesNotContain(ordinary, overdue);

            app.Clock.Advance(TimeSpan.FromDays(3));
            var day8 = (await (await county.As("supervisor-a")).GetAsync($"/api/followups/overdue?regionCode={county.VillageA1}")).Array
                .ToDictionary(c => c!["childId"]!.GetValue<string>(), c => c!);
            Assert.True(day8[ordinary]["contactOverdueDays"]!.GetValue<double>() is > 0.9 and < 1.1);
            Assert.False(day8.ContainsKey(visited));
            Assert.True(day8[priority]["priority"]!.GetValue<bool>());

            var backlog = (await (await county.As("supervisor-a")).GetAsync("/api/followups/backlog")).Array;
            var village = Assert.Single(backlog, v => v!["villageCode"]!.GetValue<string>() == county.VillageA1)!;
            Assert.Equal(3, village["children"]!.GetValue<int>());
            Assert.Equal(2, village["contactsOverdue"]!.GetValue<int>());
            Assert.Equal([county.User("director-a1")], village["directors"]!.AsArray().Select(d => d!.GetValue<string>()));
            (await (await county.As("supervisor-a")).GetAsync($"/api/followups/overdue?regionCode={county.VillageB1}")).AssertProblem(HttpStatusCode.Forbidden);
        }
        finally
        {
            app.Clock.Reset();
        }
    }

    [Fact]
    public async Task SensitiveTextIsEncryptedInTheDatabaseAndPlainThroughTheApi()
    {
        var county = await TestCounty.CreateAsync(app);
        var child = await county.ChildAsync("director-a1", county.VillageA1);
        var director = await county.As("director-a1");
        const string note = "奶奶说孩子夜里常哭，想妈妈";
        const string details = "邻居反映孩子常被关在门外";
        (await director.PostAsync($"/api/children/{child}/contacts", new { kind = "call", at = DateTime.UtcNow, notes = note })).AssertStatus(HttpStatusCode.Created);
        (await director.PostAsync("/api/concerns", new { childId = child, kind = "guardian-unable", details })).AssertStatus(HttpStatusCode.Created);

        Assert.Equal(note, (await director.GetAsync($"/api/children/{child}/contacts")).Array.Single()!["notes"]!.GetValue<string>());
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<TongxinDbContext>();
        var storedNote = await db.ChildContacts.Where(c => c.ChildId == child).Select(c => c.Notes).SingleAsync();
        var storedDetails = await db.Concerns.Where(c => c.ChildId == child).Select(c => c.Details).SingleAsync();
        Assert.StartsWith("v1:", storedNote);
        Assert.DoesNotContain("孩子", storedNote);
        Assert.DoesNotContain("孩子", storedDetails);
    }

    [Fact]
    public async Task NoCanaryValueReachesTheLogsOrTheAuditAndRefusalsAreAudited()
    {
        var county = await TestCounty.CreateAsync(app);
        const string canary = "CANARY7Q";
        var body = SampleCounty.ChildBody(county.VillageA1);
        body["familyName"] = canary + "姓";
        body["guardianSituation"] = canary + " 监护情况";
        var director = await county.As("director-a1");
        var child = (await director.PostAsync("/api/children", body)).AssertStatus(HttpStatusCode.Created).Id;
        await director.PostAsync($"/api/children/{child}/contacts", new { kind = "call", at = DateTime.UtcNow, notes = canary + " 电话记录" });
        await director.PostAsync("/api/concerns", new { childId = child, kind = "other", details = canary + " 线索" });
        // Bad input carrying the canary, and refused access, must not leak it either.
        await director.PostAsync("/api/children", new { familyName = canary, gender = canary });
        await (await county.As("civil")).PostAsync("/api/children", body);
        await director.GetAsync($"/api/children/{child}");

        Assert.DoesNotContain(app.Logs.Lines, line => line.Contains(canary, StringComparison.Ordinal));
        var audit = (await (await county.As("civil")).GetAsync($"/api/audit?childId={child}")).AssertStatus(HttpStatusCode.OK);
        Assert.DoesNotContain(canary, audit.Body);
        Assert.Contains(audit.Array, a => a!["action"]!.GetValue<string>() == "child.read");

        // A refused request of any kind leaves an audit row.
        (await (await county.As("director-a1")).PostAsync("/api/regions", new { code = "X", name = "X", kind = "village", parentCode = county.TownA }))
            .AssertProblem(HttpStatusCode.Forbidden);
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<TongxinDbContext>();
        Assert.True(await db.AuditEntries.AnyAsync(a => a.Action == "create-region" && a.Outcome == "denied"));
    }

    [Fact]
    public async Task AnswersWithPersonalDataAreNotStored()
    {
        var county = await TestCounty.CreateAsync(app);
        var child = await county.ChildAsync("director-a1", county.VillageA1);
        using var response = await (await county.As("director-a1")).Http.GetAsync($"/api/children/{child}");
        Assert.True(response.Headers.CacheControl?.NoStore, "Cache-Control: no-store");
    }
}

/// <summary>Limits with small numbers, on a host of their own.</summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task RepeatedFailedLoginsAndRapidListsAreAnswered429()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var factory = TongxinApp.CreateFactory(database, new Dictionary<string, string?>
        {
            ["RateLimits:LoginFailures"] = "3",
            ["RateLimits:ListsPerMinute"] = "5",
        });
        // Lists and exports: five a minute here, then 429 problem+json with Retry-After.
        var admin = new Api(factory.CreateClient());
        await admin.LoginAsync(TongxinApp.AdminUserName, TongxinApp.AdminPassword);
        for (var i = 0; i < 5; i++)
        {
            Assert.NotEqual(HttpStatusCode.TooManyRequests, (await admin.GetAsync("/api/children")).Status);
        }
        (await admin.GetAsync("/api/children")).AssertProblem(HttpStatusCode.TooManyRequests);
        (await admin.GetAsync("/api/regions")).AssertStatus(HttpStatusCode.OK); // not a bulk read: not limited

        // Logins: three failures lock the name, even against the right password; another name is not locked.
        var api = new Api(factory.CreateClient());
        for (var i = 0; i < 3; i++)
        {
            (await api.PostAsync("/api/auth/login", new { userName = TongxinApp.AdminUserName, password = "guess-" + i })).AssertProblem(HttpStatusCode.Unauthorized);
        }
        (await api.PostAsync("/api/auth/login", new { userName = TongxinApp.AdminUserName, password = TongxinApp.AdminPassword }))
            .AssertProblem(HttpStatusCode.TooManyRequests);
        (await api.PostAsync("/api/auth/login", new { userName = "someone-else", password = "x" })).AssertProblem(HttpStatusCode.Unauthorized);
    }
}
