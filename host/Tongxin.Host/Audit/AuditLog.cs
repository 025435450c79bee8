using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Persistence;

namespace Tongxin.Host.Audit;

/// <summary>
/// Appends the audit rows that no change carries (reads, refusals, failures) with group commit: one writer
/// takes every row waiting at that moment, from however many requests, and saves them in one transaction.
/// <see cref="AppendAsync"/> completes only once the transaction holding the row has committed, so a request
/// that awaits it is acknowledged only after its row is durable; if the commit fails, every request in that
/// batch fails (never a 2xx). One transaction per batch instead of one per read is what lets reads scale:
/// on SQLite all writers queue for one lock, and on both databases each commit waits for a disk flush.
/// Disposing (at host shutdown, after the server has drained) writes what is queued, then stops.
/// </summary>
public sealed class AuditLog : IAsyncDisposable
{
    /// <summary>Rows per transaction at most: a batch stays a short transaction even under a burst.</summary>
    public const int MaxBatch = 512;

    // Bounded: a database that stalls makes requests wait (back-pressure) instead of growing memory without end.
    private readonly Channel<Pending> queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(16 * MaxBatch)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly IDbContextFactory<TongxinDbContext> databases;
    private readonly ILogger<AuditLog> logger;
    private readonly Task writer;

    public AuditLog(IDbContextFactory<TongxinDbContext> databases, ILogger<AuditLog> logger)
    {
        this.databases = databases;
        this.logger = logger;
        // The writer must not inherit the async flow of whichever request made this singleton: that flow's
        // pending audit row (AuditScope) would otherwise ride along with every batch.
        using (ExecutionContext.SuppressFlow())
        {
            writer = Task.Run(WriteBatchesAsync);
        }
    }

    /// <summary>How many batches have committed (for tests and the load figures).</summary>
    public long BatchesCommitted => Interlocked.Read(ref batchesCommitted);

    private long batchesCommitted;

    /// <summary>Queues <paramref name="entry"/>; the task completes when the row is committed, or fails if it is not.</summary>
    public async Task AppendAsync(AuditEntry entry)
    {
        // A copy: the caller's instance may be tracked by its own DbContext.
        var pending = new Pending(entry with { }, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            await queue.Writer.WriteAsync(pending);
        }
        catch (ChannelClosedException e)
        {
            throw new AuditNotWrittenException("The audit log is shut down; the request was not done.", e);
        }
        await pending.Committed.Task;
    }

    private async Task WriteBatchesAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        while (await queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }
            try
            {
                await using (var db = await databases.CreateDbContextAsync())
                {
                    db.ChangeTracker.AutoDetectChangesEnabled = false;
                    // Explicit, so that "committed" means this commit, whatever the batch's size.
                    await using var transaction = await db.Database.BeginTransactionAsync();
                    db.AuditEntries.AddRange(batch.Select(p => p.Entry));
                    await db.SaveChangesAsync();
                    await transaction.CommitAsync();
                }
                Interlocked.Increment(ref batchesCommitted);
                foreach (var pending in batch)
                {
                    pending.Committed.TrySetResult();
                }
            }
            catch (Exception e)
            {
                // Not one of these rows may be taken as written: every request waiting on this batch fails.
                logger.LogError(e, "An audit batch of {Count} rows was not written; those requests fail.", batch.Count);
                foreach (var pending in batch)
                {
                    // One exception object per request: each is thrown on its own request's thread.
                    pending.Committed.TrySetException(new AuditNotWrittenException("The audit row was not written; the request was not done.", e));
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await writer;
    }

    private sealed record Pending(AuditEntry Entry, TaskCompletionSource Committed);
}

/// <summary>An audit row could not be made durable, so the request it audits is not acknowledged (503 or 500).</summary>
public sealed class AuditNotWrittenException(string message, Exception inner) : Exception(message, inner);
