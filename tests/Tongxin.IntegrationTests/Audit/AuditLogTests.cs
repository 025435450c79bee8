using System.Data.Common;
using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Tongxin.Host.Audit;
using Tongxin.Host.Children;
using Tongxin.Host.Persistence;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Audit;

public sealed class AuditLogTestsOnSqlite(SqliteApp app) : AuditLogTests(app), IClassFixture<SqliteApp>;

public sealed class AuditLogTestsOnPostgres(PostgresApp app) : AuditLogTests(app), IClassFixture<PostgresApp>;

/// <summary>
/// The audit log's group commit (ADR 0009): rows from many requests share transactions, each request is answered
/// only after its row is committed, a failed commit fails every request of its batch, and shutdown writes what is queued.
/// Unless <c>Audit:WaitForFlush</c>, a batch's commit does not wait for the disk flush, and no other write on the same
/// pooled connections is let off the flush by it (ADR 0010).
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
    public async Task ConcurrentReadsOfFilesFromTheirGrainsAreEachAuditedExactlyOnce()
    {
        var county = await TestCounty.CreateAsync(app);
        var children = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            children.Add(await county.ChildAsync("director-a1", county.VillageA1));
        }
        var outside = await county.ChildAsync("director-b1", county.VillageB1);
        var director = await county.As("director-a1");

        // 48 reads at once (12 of each file) and 8 of a file in another village, which this director may not see.
        var answers = await Task.WhenAll(
            Enumerable.Range(0, 48).Select(i => director.GetAsync($"/api/children/{children[i % 4]}"))
                .Concat(Enumerable.Range(0, 8).Select(_ => director.GetAsync($"/api/children/{outside}"))));

        Assert.All(answers.Take(48), a => a.AssertStatus(HttpStatusCode.OK));
        Assert.All(answers.Skip(48), a => a.AssertProblem(HttpStatusCode.NotFound));
        // Every answered read has its one row, never two, though the files came from memory.
        foreach (var child in children)
        {
            var rows = await RowsAsync(child);
            Assert.Equal(12, rows.Count(r => r.Action == "child.read" && r.Outcome == AuditOutcomes.Done));
            Assert.Equal(12, rows.Count(r => r.Action == "child.read"));
        }
        // Outside the region the file does not exist for the caller: no "done" row, one "not-found" row per read.
        var refused = await RowsAsync(outside);
        Assert.Equal(8, refused.Count(r => r.Action == "child.read" && r.Outcome == AuditOutcomes.NotFound));
        Assert.DoesNotContain(refused, r => r.Action == "child.read" && r.Outcome == AuditOutcomes.Done);
    }

    [Fact]
    public async Task WhenReadRowsCannotBeWrittenReadsFailAndChangesStillCarryTheirOwnRows()
    {
        var county = await TestCounty.CreateAsync(app);
        var child = await county.ChildAsync("director-a1", county.VillageA1);

        // A second host on the same database whose audit log cannot commit: a read's row goes there (the file itself
        // comes from the child's grain, the database is not needed to read it).
        var failing = Contexts(new FailingCommit());
        await using var broken = TongxinApp.CreateFactory(app.Database, services: services =>
        {
            services.AddSingleton(_ => new AuditLog(failing, NullLogger<AuditLog>.Instance));
        });
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

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EveryRowIsCommittedForOtherConnectionsAndTheCommitWaitsForTheFlushOnlyIfConfigured(bool waitForFlush)
    {
        var atCommit = new SyncAtCommit();
        await using var log = new AuditLog(Contexts(atCommit), NullLogger<AuditLog>.Instance, Options.Create(new AuditOptions { WaitForFlush = waitForFlush }));
        var entries = Enumerable.Range(0, 500).Select(i => Entry($"flush-{waitForFlush}-{i}")).ToList();

        await Task.WhenAll(entries.Select(e => Task.Run(() => log.AppendAsync(e))));

        // Answered means committed either way: a connection of its own, outside every pool, sees every row.
        Assert.Equal(entries.Count, await CountOnAConnectionOfItsOwnAsync(entries));
        Assert.InRange(log.BatchesCommitted, 1, entries.Count - 1);
        // Whether each batch's commit waited for the disk: SQLite's synchronous (2 FULL, 1 NORMAL) and PostgreSQL's
        // synchronous_commit, as the batch's own transaction had them at its commit.
        var expected = app.Database.Provider == DatabaseProvider.Sqlite ? (waitForFlush ? "2" : "1") : (waitForFlush ? "on" : "off");
        Assert.Equal(log.BatchesCommitted, atCommit.Seen.Count);
        Assert.All(atCommit.Seen, setting => Assert.Equal(expected, setting));
    }

    [Fact]
    public async Task AfterBatchesThatDidNotWaitForTheFlushThePooledConnectionsWaitForItAgain()
    {
        // A pool of connections of this test's own, so the audit writer's connection is the one handed out next; on
        // PostgreSQL with the host's settings, which send no reset when a connection goes back to the pool.
        var contexts = Contexts(OwnPool(app.Database), []);
        await using (var log = new AuditLog(contexts, NullLogger<AuditLog>.Instance, Options.Create(new AuditOptions { WaitForFlush = false })))
        {
            var entries = Enumerable.Range(0, 300).Select(i => Entry($"pooled-{i}")).ToList();
            await Task.WhenAll(entries.Select(e => Task.Run(() => log.AppendAsync(e))));
            Assert.True(log.BatchesCommitted >= 1);
        }

        // Every other write of the process (a change and its audit row, a grain's state) commits on these
        // connections and must still wait for the flush: FULL (2) on SQLite, synchronous_commit on for PostgreSQL.
        var open = new List<TongxinDbContext>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var db = contexts.CreateDbContext();
                open.Add(db);
                await db.Database.OpenConnectionAsync();
                var connection = db.Database.GetDbConnection();
                await using var command = connection.CreateCommand();
                command.CommandText = app.Database.Provider == DatabaseProvider.Sqlite ? "PRAGMA synchronous;" : "SHOW synchronous_commit;";
                var setting = Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
                Assert.Equal(app.Database.Provider == DatabaseProvider.Sqlite ? "2" : "on", setting);
            }
        }
        finally
        {
            foreach (var db in open)
            {
                await db.Database.CloseConnectionAsync();
                await db.DisposeAsync();
            }
        }
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

    private async Task<int> CountOnAConnectionOfItsOwnAsync(IReadOnlyCollection<AuditEntry> entries)
    {
        await using DbConnection connection = app.Database.Provider == DatabaseProvider.Sqlite
            ? new SqliteConnection(new SqliteConnectionStringBuilder(app.Database.ConnectionString) { Pooling = false }.ToString())
            : new NpgsqlConnection(new NpgsqlConnectionStringBuilder(app.Database.ConnectionString) { Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        var ids = entries.Select(e => e.Id).ToHashSet();
        command.CommandText = "SELECT \"Id\" FROM \"AuditEntries\" WHERE \"Action\" = 'test.append'";
        var found = 0;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            found += ids.Contains(reader.GetString(0)) ? 1 : 0;
        }
        return found;
    }

    /// <summary>The test database's connection string, made distinct so that its connections are pooled apart from every other user's.</summary>
    private static string OwnPool(TestDatabase database) => database.Provider == DatabaseProvider.Sqlite
        ? new SqliteConnectionStringBuilder(database.ConnectionString) { DefaultTimeout = 31 }.ToString()
        : DatabaseSetup.WithPostgresDefaults(new NpgsqlConnectionStringBuilder(database.ConnectionString) { ApplicationName = "audit-pool-" + Guid.NewGuid().ToString("N")[..8] }.ToString());

    private IDbContextFactory<TongxinDbContext> Contexts(params IInterceptor[] interceptors) => Contexts(app.Database.ConnectionString, interceptors);

    private IDbContextFactory<TongxinDbContext> Contexts(string connectionString, IInterceptor[] interceptors) =>
        OwnContexts.On(app.Database.Provider, connectionString, interceptors);

    /// <summary>Reads, on the committing transaction's own connection, whether this commit will wait for the disk.</summary>
    private sealed class SyncAtCommit : DbTransactionInterceptor
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Seen { get; } = new();

        public override InterceptionResult TransactionCommitting(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result)
        {
            using var command = transaction.Connection!.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = transaction is SqliteTransaction ? "PRAGMA synchronous;" : "SHOW synchronous_commit;";
            Seen.Enqueue(Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture)!);
            return result;
        }
    }
}
