using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tongxin.Host.Audit;
using Tongxin.Host.Persistence;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Needs;

public sealed class RequestHelpGroupCommitTestsOnSqlite(SqliteApp app) : RequestHelpGroupCommitTests(app), IClassFixture<SqliteApp>;

public sealed class RequestHelpGroupCommitTestsOnPostgres(PostgresApp app) : RequestHelpGroupCommitTests(app), IClassFixture<PostgresApp>;

/// <summary>
/// Requests for help commit together (<see cref="GroupInserts"/>): many at once share transactions, yet each
/// acknowledged need is there exactly once with its own audit row in its child's trail, and a request whose row
/// cannot be written fails alone, leaving the others of its batch committed and its own audit row unwritten.
/// </summary>
public abstract class RequestHelpGroupCommitTests(TongxinApp app)
{
    private const int Children = 8;
    private const int NeedsPerChild = 6;

    private static readonly object TutoringNeed = new { subject = "maths", grade = 4, schedule = new[] { "weekday-afternoon" }, mode = "online" };

    private GroupInserts Inserts => app.Services.GetRequiredService<GroupInserts>();

    [Fact]
    public async Task ManyRequestsAtOnceAreEachSavedOnceWithTheirAuditRowInFewerTransactions()
    {
        var county = await TestCounty.CreateAsync(app);
        var children = new List<string>();
        for (var i = 0; i < Children; i++)
        {
            children.Add(await county.ChildAsync("director-a1", county.VillageA1));
        }
        var director = await county.As("director-a1");
        var batchesBefore = Inserts.Batches;

        var requests = children.SelectMany(child => Enumerable.Range(0, NeedsPerChild).Select(_ => child))
            .Select(async child => (child, response: await director.PostAsync($"/api/children/{child}/needs", new { line = "tutoring", details = TutoringNeed, urgency = "normal" })))
            .ToList();
        var answers = await Task.WhenAll(requests);

        Assert.All(answers, a => a.response.AssertStatus(HttpStatusCode.Created));
        var acknowledged = answers.Select(a => (a.child, id: a.response.Id)).ToList();
        Assert.Equal(acknowledged.Count, acknowledged.Select(a => a.id).Distinct().Count());

        await using var db = await app.Services.GetRequiredService<IDbContextFactory<TongxinDbContext>>().CreateDbContextAsync();
        var ids = acknowledged.Select(a => a.id).ToList();
        var saved = await db.Needs.AsNoTracking().Where(n => ids.Contains(n.Id)).ToListAsync();
        Assert.Equal(acknowledged.Count, saved.Count);
        Assert.All(acknowledged, a => Assert.Equal(a.child, saved.Single(n => n.Id == a.id).ChildId));
        Assert.All(saved, n => Assert.Equal(NeedStatus.Open, n.Status));
        // One "done" row per request, in its own child's trail.
        var rows = await db.AuditEntries.AsNoTracking()
            .Where(r => r.Action == "child.need.create" && r.SubjectType == "child" && children.Contains(r.SubjectId!))
            .ToListAsync();
        Assert.All(children, child => Assert.Equal(NeedsPerChild, rows.Count(r => r.SubjectId == child && r.Outcome == AuditOutcomes.Done)));

        var batches = Inserts.Batches - batchesBefore;
        Assert.True(batches >= 1, "The needs went through the group inserts.");
        Assert.True(batches < acknowledged.Count, $"{acknowledged.Count} requests at once took {batches} transactions: they were not grouped.");

        // And the director sees each as an open need of that child.
        var one = acknowledged[0];
        var read = (await director.GetAsync($"/api/needs/{one.id}")).AssertStatus(HttpStatusCode.OK);
        Assert.Equal(one.child, read.Get<string>("childId"));
    }

    [Fact]
    public async Task ARowThatCannotBeSavedFailsOnlyItsOwnRequestAndLeavesItsAuditRowUnwritten()
    {
        var county = await TestCounty.CreateAsync(app);
        var child = await county.ChildAsync("director-a1", county.VillageA1);
        var taken = await county.NeedAsync("director-a1", child, "tutoring", TutoringNeed);
        Need template;
        await using (var before = await app.Services.GetRequiredService<IDbContextFactory<TongxinDbContext>>().CreateDbContextAsync())
        {
            template = await before.Needs.AsNoTracking().SingleAsync(n => n.Id == taken);
        }

        // Twenty requests at once, one of which reuses an id already taken: the batch fails, and each is saved alone.
        var requests = Enumerable.Range(0, 20).Select(i => (need: NewNeed(template, i == 7 ? taken : Ids.New()), audit: new PendingAudit(AuditRow(child)))).ToList();
        var inserts = requests.Select(r => Task.Run(async () =>
        {
            // As a request's flow has it (AuditBehaviour): the pending row rides with the insert.
            PendingAudit.Current = r.audit;
            await Inserts.InsertAsync(r.need);
        })).ToList();

        for (var i = 0; i < requests.Count; i++)
        {
            if (i == 7)
            {
                await Assert.ThrowsAsync<DbUpdateException>(() => inserts[i]);
                Assert.False(requests[i].audit.IsWritten);
                Assert.True(requests[i].audit.CloseUnwritten(), "The failed request still has its audit row to write (as a failure).");
            }
            else
            {
                await inserts[i];
                Assert.True(requests[i].audit.IsWritten);
            }
        }

        await using var db = await app.Services.GetRequiredService<IDbContextFactory<TongxinDbContext>>().CreateDbContextAsync();
        var auditIds = requests.Select(r => r.audit.Entry.Id).ToList();
        var written = await db.AuditEntries.AsNoTracking().Where(a => auditIds.Contains(a.Id)).Select(a => a.Id).ToListAsync();
        Assert.Equal(requests.Count - 1, written.Count);
        Assert.DoesNotContain(requests[7].audit.Entry.Id, written);
        Assert.Equal(requests.Count, await db.Needs.CountAsync(n => n.ChildId == child));
        // The need that was there keeps what it had.
        Assert.Equal(NeedStatus.Open, (await db.Needs.AsNoTracking().SingleAsync(n => n.Id == taken)).Status);
    }

    /// <summary>A new open need like <paramref name="template"/> (same child, region and line) under <paramref name="id"/>.</summary>
    private static Need NewNeed(Need template, string id) => new()
    {
        Id = id,
        ChildId = template.ChildId,
        Line = template.Line,
        DetailsJson = template.DetailsJson,
        Urgency = Urgency.Normal,
        Status = NeedStatus.Open,
        RegionPath = template.RegionPath,
        CountyCode = template.CountyCode,
        CreatedByUserId = template.CreatedByUserId,
        CreatedAt = DateTime.UtcNow,
        UpdatedAt = DateTime.UtcNow,
        Version = 1,
    };

    private static AuditEntry AuditRow(string childId) => new()
    {
        Id = Ids.New(),
        At = DateTime.UtcNow,
        Action = "child.need.create",
        SubjectType = "child",
        SubjectId = childId,
        Outcome = AuditOutcomes.Done,
    };
}

/// <summary>
/// While the database cannot be reached, a group of requests for help fails at once, each request with an error that
/// answers 503, without saving each request again on its own (each would wait out its own connection attempt).
/// </summary>
public sealed class GroupInsertsWhenTheDatabaseIsAwayTests
{
    [Fact]
    public async Task AGroupThatCannotReachTheDatabaseFailsEveryRequestWith503WithoutARetryPerRequest()
    {
        var attempts = new CountSaves();
        // Nothing listens on port 1 of loopback: every connection attempt is refused at once.
        var options = new DbContextOptionsBuilder<TongxinDbContext>()
            .UseNpgsql("Host=127.0.0.1;Port=1;Username=nobody;Password=none;Database=none;Timeout=2")
            .AddInterceptors(attempts)
            .Options;
        await using var inserts = new GroupInserts(new OwnContexts(options), Microsoft.Extensions.Logging.Abstractions.NullLogger<GroupInserts>.Instance);

        var requests = Enumerable.Range(0, 40).Select(_ => Task.Run(() => inserts.InsertAsync(new Need
        {
            Id = Ids.New(), ChildId = "c", Line = "tutoring", DetailsJson = "{}", Urgency = Urgency.Normal, Status = NeedStatus.Open,
            RegionPath = "r", CountyCode = "c", CreatedByUserId = "u", CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow, Version = 1,
        }))).ToList();

        foreach (var request in requests)
        {
            // A group's failure (InsertNotSavedException) or, for a request that was alone, the connection's own error.
            var failure = await Assert.ThrowsAnyAsync<Exception>(() => request);
            Assert.Equal(503, Tongxin.Host.Errors.ProblemExceptionHandler.ToProblem(failure).Status);
        }
        // One attempt per group, none per request: fewer attempts than requests means the groups were not retried alone.
        Assert.InRange(attempts.Count, 1, requests.Count - 1);
        Assert.Equal(inserts.Batches, attempts.Count);
    }

    private sealed class CountSaves : Microsoft.EntityFrameworkCore.Diagnostics.SaveChangesInterceptor
    {
        private int count;

        public int Count => Volatile.Read(ref count);

        public override Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<int> SavingChanges(
            Microsoft.EntityFrameworkCore.Diagnostics.DbContextEventData eventData, Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<int> result)
        {
            Interlocked.Increment(ref count);
            return result;
        }
    }
}
