using System.Data.Common;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Tongxin.Host.Audit;
using Tongxin.Host.Persistence;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Audit;

public sealed class AuditLogTestsOnSqlite(SqliteApp app) : AuditLogTests(app), IClassFixture<SqliteApp>;

public sealed class AuditLogTestsOnPostgres(PostgresApp app) : AuditLogTests(app), IClassFixture<PostgresApp>;

/// <summary>
/// The audit log's group commit (ADR 0009): rows from many requests share transactions, each request is answered
/// only after its row is durable, a failed commit fails every request of its batch, and shutdown writes what is queued.
/// </summary>
public abstract class AuditLogTests(TongxinApp app)
{
    private static readonly object TutoringNeed = new { subject = "maths", grade = 3, schedule = new[] { "weekday-afternoon" }, mode = "online" };

    [Fact]
    public async Task RowsFromManyConcurrentRequestsAreAllWrittenInFewerTransactions()
    {
        await using var log = new AuditLog(Contexts(), NullLogger<AuditLog>.Instance);
        var entries = Enumerable.Range(0, 1_000).Select(i => Entry($"concurrent-{i}")).ToList();

        await Task.WhenAll(entries.Select(e => Task.Run(() => log.AppendAsync(e))));

        Assert.Equal(entries.Count, await CountAsync(entries));
        Assert.InRange(log.BatchesCommitted, 1, entries.Count - 1);
    }

    [Fact]
    public async Task AFailedCommitFailsEveryRequestOfItsBatchAndWritesNothing()
    {
        await using var log = new AuditLog(Contexts(new FailingCommit()), NullLogger<AuditLog>.Instance);
        var entries = Enumerable.Range(0, 200).Select(i => Entry($"failed-{i}")).ToList();

        var appends = entries.Select(e => log.AppendAsync(e)).ToList();

        foreach (var append in appends)
        {
            var failure = await Assert.ThrowsAsync<AuditNotWrittenException>(() => append);
            Assert.IsType<InvalidOperationException>(failure.InnerException);
        }
        Assert.Equal(0, await CountAsync(entries));
        Assert.Equal(0, log.BatchesCommitted);
    }

    [Fact]
    public async Task ShutdownWritesEveryQueuedRowBeforeItEnds()
    {
        var log = new AuditLog(Contexts(), NullLogger<AuditLog>.Instance);
        var entries = Enumerable.Range(0, 2_000).Select(i => Entry($"shutdown-{i}")).ToList();
        var appends = entries.Select(e => log.AppendAsync(e)).ToList();

        await log.DisposeAsync();

        Assert.All(appends, a => Assert.True(a.IsCompletedSuccessfully));
        Assert.Equal(entries.Count, await CountAsync(entries));
        await Assert.ThrowsAsync<AuditNotWrittenException>(() => log.AppendAsync(Entry("after-shutdown")));
    }

    [Fact]
    public async Task AReadIsAnsweredOnlyOnceItsRowIsWrittenAndAChangeCarriesItsRowInItsOwnTransaction()
    {
        var county = await TestCounty.CreateAsync(app);
        var child = await county.ChildAsync("director-a1", county.VillageA1);
        var director = await county.As("director-a1");

        (await director.GetAsync($"/api/children/{child}")).AssertStatus(HttpStatusCode.OK);
        var need = (await director.PostAsync($"/api/children/{child}/needs", new { line = "tutoring", details = TutoringNeed, urgency = "normal" }))
            .AssertStatus(HttpStatusCode.Created).Id;

        // Read straight after the answers, on a connection of its own: both rows are already durable.
        var rows = await RowsAsync(child);
        Assert.Single(rows, r => r.Action == "child.read" && r.Outcome == AuditOutcomes.Done);
        // The need's row belongs to the child's trail, and was written with the need (no second row for it).
        Assert.Single(rows, r => r.Action == "child.need.create" && r.Outcome == AuditOutcomes.Done);
        Assert.NotNull(need);
    }

    [Fact]
    public async Task WhenReadRowsCannotBeWrittenReadsFailAndChangesStillCarryTheirOwnRows()
    {
        var county = await TestCounty.CreateAsync(app);
        var child = await county.ChildAsync("director-a1", county.VillageA1);

        // A second host on the same database whose audit log cannot commit.
        await using var broken = TongxinApp.CreateFactory(app.Database, services: services =>
            services.AddSingleton(_ => new AuditLog(Contexts(new FailingCommit()), NullLogger<AuditLog>.Instance)));
        var director = new Api(broken.CreateClient());
        await director.LoginAsync(county.User("director-a1"), TestCounty.Password);

        // Never a 2xx for a read whose row is not durable.
        var read = await director.GetAsync($"/api/children/{child}");
        Assert.True((int)read.Status >= 500, $"Expected a 5xx, got {(int)read.Status}.");
        Assert.Equal("application/problem+json", read.ContentType);

        // A change does not wait on the audit log: its row commits with it.
        (await director.PostAsync($"/api/children/{child}/needs", new { line = "tutoring", details = TutoringNeed, urgency = "normal" }))
            .AssertStatus(HttpStatusCode.Created);
        var rows = await RowsAsync(child);
        Assert.DoesNotContain(rows, r => r.Action == "child.read");
        Assert.Single(rows, r => r.Action == "child.need.create" && r.Outcome == AuditOutcomes.Done);
    }

    private static AuditEntry Entry(string subject) => new()
    {
        Id = Ids.New(),
        At = DateTime.UtcNow,
        Action = "test.append",
        SubjectType = "test",
        SubjectId = subject,
        Outcome = AuditOutcomes.Done,
    };

    private async Task<int> CountAsync(IReadOnlyCollection<AuditEntry> entries)
    {
        var ids = entries.Select(e => e.Id).ToList();
        await using var db = Contexts().CreateDbContext();
        return await db.AuditEntries.CountAsync(a => ids.Contains(a.Id));
    }

    private async Task<List<AuditEntry>> RowsAsync(string childId)
    {
        await using var db = Contexts().CreateDbContext();
        return await db.AuditEntries.AsNoTracking().Where(a => a.SubjectType == "child" && a.SubjectId == childId).ToListAsync();
    }

    private IDbContextFactory<TongxinDbContext> Contexts(params IInterceptor[] interceptors)
    {
        var options = new DbContextOptionsBuilder<TongxinDbContext>();
        _ = app.Database.Provider == DatabaseProvider.Sqlite
            ? options.UseSqlite(app.Database.ConnectionString)
            : options.UseNpgsql(app.Database.ConnectionString);
        options.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
        options.AddInterceptors(interceptors);
        return new Factory(options.Options);
    }

    private sealed class Factory(DbContextOptions<TongxinDbContext> options) : IDbContextFactory<TongxinDbContext>
    {
        public TongxinDbContext CreateDbContext() => new(options);
    }

    /// <summary>A disk that fails at the moment of commit: the rows were sent, the transaction rolls back.</summary>
    private sealed class FailingCommit : DbTransactionInterceptor
    {
        public override InterceptionResult TransactionCommitting(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result) =>
            throw new InvalidOperationException("commit failed (test)");

        public override ValueTask<InterceptionResult> TransactionCommittingAsync(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("commit failed (test)");
    }
}
