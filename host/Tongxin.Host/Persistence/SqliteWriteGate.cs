using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Tongxin.Host.Persistence;

/// <summary>
/// SQLite allows one writer at a time. Without this gate, writers of one host that meet the lock are retried
/// by Microsoft.Data.Sqlite with a blocking <c>Thread.Sleep(150)</c> on a thread-pool thread, over and over:
/// measured, that was most of the read and request-help tails (p99 of seconds) on this 2-core machine. Here
/// every write transaction of this process first waits, asynchronously and in arrival order, for the one gate,
/// and releases it when it commits, rolls back or its connection closes. Other processes on the same file
/// (rare: SQLite is the single-host setup) still meet SQLite's own lock and its retries, as before.
/// Every SaveChanges runs in a transaction on SQLite (<see cref="AutoTransactionBehavior.Always"/>), so a
/// single-statement save passes the gate too. Durability is unchanged: WAL with synchronous=FULL. Writers leave
/// checkpoints to <see cref="SqliteCheckpoints"/>.
/// </summary>
internal sealed class SqliteWriteGate : DbTransactionInterceptor, IDbConnectionInterceptor, ISaveChangesInterceptor
{
    /// <summary>As long as SQLite's own busy wait (the command timeout) before a write gives up.</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim gate = new(1, 1);

    // EF's ids of the connections holding the gate now (a transaction is open on them).
    private readonly ConcurrentDictionary<Guid, byte> holders = new();

    public override InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
    {
        if (!gate.Wait(MaxWait))
        {
            throw Busy();
        }
        holders[eventData.ConnectionId] = 0;
        LeaveCheckpointsToTheCheckpointer(connection);
        return result;
    }

    public override async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        if (!await gate.WaitAsync(MaxWait, cancellationToken))
        {
            throw Busy();
        }
        holders[eventData.ConnectionId] = 0;
        LeaveCheckpointsToTheCheckpointer(connection);
        return result;
    }

    /// <summary>
    /// A commit that finds the write-ahead log past 1,000 pages would otherwise copy it into the database file and
    /// flush that file itself, while every request waiting on it (a batch of audit rows: dozens of reads) waits too:
    /// measured, those commits took 20–50 ms where others took one. <see cref="SqliteCheckpoints"/> does that work
    /// in the background instead. The setting belongs to the SQLite connection, which the pool hands to different
    /// contexts, so it is set at every write (no I/O; a few microseconds).
    /// </summary>
    private static void LeaveCheckpointsToTheCheckpointer(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_autocheckpoint=0;";
        command.ExecuteNonQuery();
    }

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Release(eventData.ConnectionId);

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(eventData.ConnectionId);
        return Task.CompletedTask;
    }

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Release(eventData.ConnectionId);

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(eventData.ConnectionId);
        return Task.CompletedTask;
    }

    public override void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData)
    {
        // A failed commit or rollback leaves no transaction open on a SQLite connection; a failed begin never held one.
        if (eventData.Action is "Commit" or "Rollback" or "Start")
        {
            Release(eventData.ConnectionId);
        }
    }

    public override Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionFailed(transaction, eventData);
        return Task.CompletedTask;
    }

    // A transaction disposed without commit or rollback (an exception on the way) is rolled back by SQLite when
    // its connection goes back to the pool: the gate is free again at that point at the latest.
    void IDbConnectionInterceptor.ConnectionClosed(DbConnection connection, ConnectionEndEventData eventData) => Release(eventData.ConnectionId);

    Task IDbConnectionInterceptor.ConnectionClosedAsync(DbConnection connection, ConnectionEndEventData eventData)
    {
        Release(eventData.ConnectionId);
        return Task.CompletedTask;
    }

    void IDbConnectionInterceptor.ConnectionDisposed(DbConnection connection, ConnectionEndEventData eventData) => Release(eventData.ConnectionId);

    Task IDbConnectionInterceptor.ConnectionDisposedAsync(DbConnection connection, ConnectionEndEventData eventData)
    {
        Release(eventData.ConnectionId);
        return Task.CompletedTask;
    }

    InterceptionResult<int> ISaveChangesInterceptor.SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        AlwaysInTransaction(eventData.Context);
        return result;
    }

    ValueTask<InterceptionResult<int>> ISaveChangesInterceptor.SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken)
    {
        AlwaysInTransaction(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private static void AlwaysInTransaction(DbContext? context)
    {
        if (context is not null)
        {
            // EF skips the transaction for a save of one statement; that statement would take the lock unseen.
            context.Database.AutoTransactionBehavior = AutoTransactionBehavior.Always;
        }
    }

    private void Release(Guid connectionId)
    {
        if (holders.TryRemove(connectionId, out _))
        {
            gate.Release();
        }
    }

    private static TimeoutException Busy() =>
        new($"No SQLite write transaction could start within {MaxWait.TotalSeconds:F0} s: another write of this host held the database that long.");
}
