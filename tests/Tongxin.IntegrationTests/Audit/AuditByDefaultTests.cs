using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Tongxin.Host.Audit;
using Tongxin.Host.Persistence;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Audit;

public sealed class AuditByDefaultTestsOnSqlite(SqliteMatchingApp app) : AuditByDefaultTests(app), IClassFixture<SqliteMatchingApp>;

public sealed class AuditByDefaultTestsOnPostgres(PostgresMatchingApp app) : AuditByDefaultTests(app), IClassFixture<PostgresMatchingApp>;

/// <summary>
/// Audit by default (issue 15): reading a concern, recording its step, accepting an offer, ending a pairing, logging
/// a session and recording vetting each write one row, refused or not, and a change's row commits with the change.
/// </summary>
public abstract class AuditByDefaultTests(MatchingApp app)
{
    private static readonly object CaringMother = new Dictionary<string, object> { ["caring-mother"] = new { supportKinds = new[] { "daily-life" } } };

    [Fact]
    public async Task ReadingAConcernAndRecordingItsStepsAreAuditedRefusalsToo()
    {
        var county = await TestCounty.CreateAsync(app);
        var child = await county.ChildAsync("director-a1", county.VillageA1);
        var director = await county.As("director-a1");
        var concern = (await director.PostAsync("/api/concerns", new { childId = child, kind = "other", details = "孩子连续三天没有上学" }))
            .AssertStatus(HttpStatusCode.Created).Id;

        (await (await county.As("supervisor-a")).GetAsync($"/api/concerns/{concern}")).AssertStatus(HttpStatusCode.OK);
        (await (await county.As("director-b1")).GetAsync($"/api/concerns/{concern}")).AssertProblem(HttpStatusCode.NotFound);
        (await director.PostAsync($"/api/concerns/{concern}/steps", new { stage = "assessed", at = DateTime.UtcNow, notes = "" }))
            .AssertProblem(HttpStatusCode.Conflict);
        (await director.PostAsync($"/api/concerns/{concern}/steps", new { stage = "reported-to-police", at = DateTime.UtcNow, reference = "云公受字2026-7号", notes = "已报警" }))
            .AssertStatus(HttpStatusCode.OK);

        // One row per request, naming the concern and how it ended (never its details).
        Assert.Equal(
            [
                ("concern.read", AuditOutcomes.Done, "supervisor"),
                ("concern.read", AuditOutcomes.NotFound, "child-director"),
                ("concern.step.record", AuditOutcomes.Conflict, "child-director"),
                ("concern.step.record", AuditOutcomes.Done, "child-director"),
            ],
            Sorted(await RowsAsync("concern", concern)));
    }

    [Fact]
    public async Task AcceptingAnOfferAndEndingAPairingCommitTheirRowsWithTheChange()
    {
        var county = await TestCounty.CreateAsync(app);
        var (offer, _) = await OfferAsync(county, "mother");

        // A second host on the same database whose audit log cannot commit: a row that went through the log, not with
        // the grain's change, would fail the request.
        var failing = OwnContexts.On(app.Database.Provider, app.Database.ConnectionString, new FailingCommit());
        await using var broken = TongxinApp.CreateFactory(app.Database, new Dictionary<string, string?> { ["Matching:AutoRun"] = "false" }, services: services =>
        {
            services.AddSingleton(_ => new AuditLog(failing, NullLogger<AuditLog>.Instance));
        });
        var volunteer = new Api(broken.CreateClient());
        await volunteer.LoginAsync(county.User("mother"), TestCounty.Password);

        var pairing = (await volunteer.PostAsync($"/api/offers/{offer}/accept", new { })).AssertStatus(HttpStatusCode.OK).Get<string>("pairingId");
        (await volunteer.PostAsync($"/api/pairings/{pairing}/end", new { reason = "家庭搬迁到县城" })).AssertStatus(HttpStatusCode.OK);

        Assert.Equal([("offer.accept", AuditOutcomes.Done, "volunteer")], Sorted(await RowsAsync("offer", offer)));
        Assert.Equal([("pairing.end", AuditOutcomes.Done, "volunteer")], Sorted(await RowsAsync("pairing", pairing)));
    }

    [Fact]
    public async Task LoggingASessionAndEndingAPairingAreAuditedAndSoAreTheirRefusals()
    {
        var county = await TestCounty.CreateAsync(app);
        var (offer, volunteer) = await OfferAsync(county, "mother");
        var pairing = (await volunteer.PostAsync($"/api/offers/{offer}/accept", new { })).AssertStatus(HttpStatusCode.OK).Get<string>("pairingId");

        var session = new { at = DateTime.UtcNow.AddHours(-1), minutes = 60, notes = "一起做作业" };
        (await volunteer.PostAsync($"/api/pairings/{pairing}/sessions", session)).AssertStatus(HttpStatusCode.Created);
        (await volunteer.PostAsync($"/api/pairings/{pairing}/end", new { reason = "孩子随父母外出" })).AssertStatus(HttpStatusCode.OK);
        (await volunteer.PostAsync($"/api/pairings/{pairing}/end", new { reason = "再次结束" })).AssertProblem(HttpStatusCode.Conflict);
        (await volunteer.PostAsync($"/api/pairings/{pairing}/sessions", session)).AssertProblem(HttpStatusCode.Conflict);

        Assert.Equal([("offer.accept", AuditOutcomes.Done, "volunteer")], Sorted(await RowsAsync("offer", offer)));
        Assert.Equal(
            [
                ("pairing.end", AuditOutcomes.Conflict, "volunteer"),
                ("pairing.end", AuditOutcomes.Done, "volunteer"),
                ("pairing.session.create", AuditOutcomes.Conflict, "volunteer"),
                ("pairing.session.create", AuditOutcomes.Done, "volunteer"),
            ],
            Sorted(await RowsAsync("pairing", pairing)));
    }

    [Fact]
    public async Task AnOfferThatCanNoLongerBeKeptIsRefusedWithOneConflictRow()
    {
        var county = await TestCounty.CreateAsync(app);
        var (offer, _) = await OfferAsync(county, "silent");

        app.Clock.Advance(TimeSpan.FromDays(8));
        try
        {
            // Tokens expire with the moved clock too: sign in again. No batch has run, so the acceptance itself finds
            // the offer expired, marks it so and reopens the need: a committed refusal, audited as a conflict, once.
            (await (await county.As("silent")).PostAsync($"/api/offers/{offer}/accept", new { })).AssertProblem(HttpStatusCode.Conflict);

            Assert.Equal([("offer.accept", AuditOutcomes.Conflict, "volunteer")], Sorted(await RowsAsync("offer", offer)));
            await using var db = await Contexts().CreateDbContextAsync();
            Assert.Equal(OfferStatus.Expired, (await db.Offers.AsNoTracking().SingleAsync(o => o.Id == offer)).Status);
        }
        finally
        {
            app.Clock.Reset();
        }
    }

    [Fact]
    public async Task RecordingVettingIsAuditedAndARefusalToo()
    {
        var county = await TestCounty.CreateAsync(app);
        // Registered by themself and vetted by civil affairs.
        var (volunteer, _) = await county.VolunteerAsync("helper", "female", county.VillageA1, ["caring-mother"], CaringMother);

        // The social-work organisation did not register this volunteer: not theirs to vet.
        (await (await county.As("shegong")).PutAsync($"/api/volunteers/{volunteer}/vetting", new
        {
            status = "failed",
            checkedAt = DateTime.UtcNow.AddDays(-1),
            expiresAt = DateTime.UtcNow.AddYears(1),
            reference = "PSB-2026-x",
        })).AssertProblem(HttpStatusCode.Forbidden);

        Assert.Equal(
            [
                ("volunteer.register", AuditOutcomes.Done, "volunteer"),
                ("volunteer.vetting.record", AuditOutcomes.Denied, "social-work-org"),
                ("volunteer.vetting.record", AuditOutcomes.Done, "civil-affairs"),
            ],
            Sorted(await RowsAsync("volunteer", volunteer)));
    }

    [Fact]
    public async Task ReadingAChildsAuditTrailIsItselfInTheTrail()
    {
        var county = await TestCounty.CreateAsync(app);
        var child = await county.ChildAsync("director-a1", county.VillageA1);
        var civil = await county.As("civil");

        (await civil.GetAsync($"/api/audit?childId={child}")).AssertStatus(HttpStatusCode.OK);
        var trail = (await civil.GetAsync($"/api/audit?childId={child}")).AssertStatus(HttpStatusCode.OK).Array;

        var read = Assert.Single(trail, a => a!["action"]!.GetValue<string>() == "child.audit.read")!;
        Assert.Equal(AuditOutcomes.Done, read["outcome"]!.GetValue<string>());
        Assert.Equal("civil-affairs", read["role"]!.GetValue<string>());
        Assert.Equal(child, read["subjectId"]!.GetValue<string>());
    }

    /// <summary>A need of a new child, a vetted volunteer and one batch: the offer made to them, and their client.</summary>
    private async Task<(string Offer, Api Volunteer)> OfferAsync(TestCounty county, string name)
    {
        var child = await county.ChildAsync("director-a1", county.VillageA1, risk: "low");
        await county.NeedAsync("director-a1", child, "caring-mother", new { supportKinds = new[] { "daily-life" } });
        var (_, volunteer) = await county.VolunteerAsync(name, "female", county.VillageA1, ["caring-mother"], CaringMother);
        await county.RunMatchingAsync("caring-mother");
        var offer = Assert.Single((await volunteer.GetAsync("/api/offers?mine=true")).Array)!;
        return (offer["id"]!.GetValue<string>(), volunteer);
    }

    /// <summary>Every row about one record, read straight from the table (rows about a child are read through the API).</summary>
    private async Task<List<AuditEntry>> RowsAsync(string subjectType, string subjectId)
    {
        await using var db = await Contexts().CreateDbContextAsync();
        return await db.AuditEntries.AsNoTracking().Where(a => a.SubjectType == subjectType && a.SubjectId == subjectId).ToListAsync();
    }

    private IDbContextFactory<TongxinDbContext> Contexts() => app.Services.GetRequiredService<IDbContextFactory<TongxinDbContext>>();

    private static List<(string Action, string Outcome, string? Role)> Sorted(IEnumerable<AuditEntry> rows) =>
        rows.Select(r => (r.Action, r.Outcome, r.Role)).Order().ToList();
}
