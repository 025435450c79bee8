using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tongxin.Host.Audit;
using Tongxin.Host.Persistence;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Persistence;

/// <summary>
/// SQLite's single writer: the host's writes queue on one async gate instead of meeting the lock (ADR 0009), and an
/// acknowledged commit survives power loss (write-ahead log, synchronous=FULL).
/// </summary>
public sealed class SqliteWriteGateTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task CommitsAreDurableWriteAheadLogWithFullSync()
    {
        var factory = app.Services.GetRequiredService<IDbContextFactory<TongxinDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        await db.Database.OpenConnectionAsync();
        var connection = db.Database.GetDbConnection();
        Assert.Equal("wal", await PragmaAsync(connection, "journal_mode"));
        // 2 is FULL: each commit is flushed to disk before it returns. NORMAL (1) could lose acknowledged commits.
        Assert.Equal("2", await PragmaAsync(connection, "synchronous"));
        await db.Database.CloseConnectionAsync(); // as below: not left open for the context pool's next user
    }

    [Fact]
    public async Task ManyConcurrentWriteTransactionsAllCommitWithoutBusyErrors()
    {
        var factory = app.Services.GetRequiredService<IDbContextFactory<TongxinDbContext>>();
        var ids = Enumerable.Range(0, 300).Select(_ => Ids.New()).ToList();

        // Explicit transactions and single-row saves mixed, all at once: each waits its turn at the gate.
        await Task.WhenAll(ids.Select((id, i) => Task.Run(async () =>
        {
            await using var db = await factory.CreateDbContextAsync();
            var row = new AuditEntry { Id = id, At = DateTime.UtcNow, Action = "test.gate", SubjectType = "test", Outcome = AuditOutcomes.Done };
            if (i % 2 == 0)
            {
                await using var transaction = await db.Database.BeginTransactionAsync();
                db.AuditEntries.Add(row);
                await db.SaveChangesAsync();
                await transaction.CommitAsync();
            }
            else
            {
                db.AuditEntries.Add(row);
                await db.SaveChangesAsync();
            }
        })));

        await using var check = await factory.CreateDbContextAsync();
        Assert.Equal(ids.Count, await check.AuditEntries.CountAsync(a => ids.Contains(a.Id)));
    }

    [Fact]
    public async Task ATransactionAbandonedWithoutCommitFreesTheGate()
    {
        var factory = app.Services.GetRequiredService<IDbContextFactory<TongxinDbContext>>();
        await using (var abandoned = await factory.CreateDbContextAsync())
        {
            await abandoned.Database.BeginTransactionAsync();
            abandoned.AuditEntries.Add(new AuditEntry { Id = Ids.New(), At = DateTime.UtcNow, Action = "test.abandoned", SubjectType = "test", Outcome = AuditOutcomes.Done });
            await abandoned.SaveChangesAsync();
            // Disposed without commit or rollback (an exception on the way would do the same).
        }

        await using var next = await factory.CreateDbContextAsync();
        next.AuditEntries.Add(new AuditEntry { Id = Ids.New(), At = DateTime.UtcNow, Action = "test.after", SubjectType = "test", Outcome = AuditOutcomes.Done });
        var save = next.SaveChangesAsync();
        Assert.Same(save, await Task.WhenAny(save, Task.Delay(TimeSpan.FromSeconds(10))));
        Assert.Equal(0, await next.AuditEntries.CountAsync(a => a.Action == "test.abandoned"));
    }

    [Fact]
    public async Task AWriteTransactionLeavesCheckpointsToTheBackgroundCheckpointer()
    {
        var factory = app.Services.GetRequiredService<IDbContextFactory<TongxinDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        await db.Database.OpenConnectionAsync();
        try
        {
            var connection = db.Database.GetDbConnection();
            // As a connection new to the pool has it (SQLite's default): a commit finding 1,000 pages of log would copy
            // them into the file itself, and every request waiting on that commit would wait for the copy.
            await using (var reset = connection.CreateCommand())
            {
                reset.CommandText = "PRAGMA wal_autocheckpoint=1000;";
                await reset.ExecuteNonQueryAsync();
            }

            await using var transaction = await db.Database.BeginTransactionAsync();
            Assert.Equal("0", await PragmaAsync(connection, "wal_autocheckpoint"));
            await transaction.CommitAsync();
        }
        finally
        {
            // Closed here, not left to the context's return to the pool: a pooled context given back with a connection
            // opened by hand is handed out again with its open count off by one, and a transaction its next user
            // abandons then never releases the gate (no ConnectionClosed event), which would stall this class's
            // other tests.
            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task<string> PragmaAsync(System.Data.Common.DbConnection connection, string name)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {name};";
        return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture)!;
    }
}
