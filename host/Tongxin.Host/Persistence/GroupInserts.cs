using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Audit;

namespace Tongxin.Host.Persistence;

/// <summary>
/// Group commit for changes that only add rows (a new need): the rows of every request waiting at that moment are
/// saved in one transaction, each request's audit row with them, and each request is answered only once that
/// transaction has committed. One commit per batch instead of one per request is what lets request help reach a
/// thousand a second on PostgreSQL: a commit of its own cost each request four round trips (BEGIN, two INSERTs,
/// COMMIT) and half a millisecond of the server's CPU, and EF's per-save set-up a quarter of the host's (measured,
/// docs/scale.md). Durability is unchanged: the batch commits with the flush every change waits for.
/// <para>
/// If the batch fails, each request's rows are saved again in a transaction of their own, so one bad row (a
/// duplicate, say) fails only its own request, with its own error. If the database cannot be reached, the whole batch
/// fails at once instead (503 for each request): saving each alone would only wait out one connection attempt after
/// another. Nothing is answered as saved that was not committed.
/// </para>
/// </summary>
internal sealed class GroupInserts : BatchWorker<GroupInserts.Insert>
{
    /// <summary>Requests per transaction at most: a batch stays a short transaction even in a burst.</summary>
    public const int MaxBatch = 128;

    /// <summary>
    /// With fewer requests than this waiting (and more than one), the batch waits a moment for more
    /// (<see cref="BatchGathering"/>): a commit's own cost is most of a small batch's.
    /// </summary>
    private const int LingerBelow = 16;

    private readonly IDbContextFactory<TongxinDbContext> databases;
    private readonly ILogger<GroupInserts> logger;

    public GroupInserts(IDbContextFactory<TongxinDbContext> databases, ILogger<GroupInserts> logger)
        : base("group inserts", MaxBatch, LingerBelow)
    {
        this.databases = databases;
        this.logger = logger;
        Start();
    }

    /// <summary>
    /// Adds <paramref name="rows"/> (new entities) and, if the calling request's audit row is not written yet, that
    /// row too, in one transaction; completes once it has committed, or fails with the save's error.
    /// </summary>
    public async Task InsertAsync(params object[] rows)
    {
        var insert = new Insert(rows, PendingAudit.Current, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            await EnqueueAsync(insert);
        }
        catch (ChannelClosedException)
        {
            // Shutting down: no batches any more, so this request saves on its own.
            Save([insert]);
            return;
        }
        await insert.Saved.Task;
    }

    protected override void Process(List<Insert> batch)
    {
        if (batch.Count > 1)
        {
            if (TrySave(batch, out var batchError))
            {
                return;
            }
            if (Errors.ProblemExceptionHandler.DatabaseUnavailable(batchError!))
            {
                // Unreachable, not a bad row: saving each alone would only fail again, each after its own connection
                // timeout (minutes for a large batch while a network hangs), with every later request queued behind.
                FailEach(batch, batchError!);
                return;
            }
            logger.LogDebug(batchError, "A group insert of {Count} requests failed; each is saved alone.", batch.Count);
        }
        foreach (var insert in batch)
        {
            if (!TrySave([insert], out var error))
            {
                insert.Saved.TrySetException(error!);
            }
        }
    }

    protected override void Failed(List<Insert> batch, Exception exception)
    {
        logger.LogError(exception, "A group insert of {Count} requests failed; those requests fail.", batch.Count);
        FailEach(batch, exception);
    }

    private static void FailEach(List<Insert> batch, Exception exception)
    {
        foreach (var insert in batch)
        {
            // One exception object per request: each is thrown on its own request's thread. The cause stays inside,
            // so an unreachable database still answers 503.
            insert.Saved.TrySetException(new InsertNotSavedException(exception));
        }
    }

    private void Save(List<Insert> inserts)
    {
        if (!TrySave(inserts, out var error))
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error!);
        }
    }

    /// <summary>One context, one SaveChanges (one transaction); on success every request in it is answered.</summary>
    private bool TrySave(List<Insert> inserts, out Exception? error)
    {
        using var db = databases.CreateDbContext();
        try
        {
            foreach (var insert in inserts)
            {
                db.AddRange(insert.Rows);
                // This thread runs in no request's flow, so the save interceptor adds no row of its own: each request's
                // pending audit row is carried here, unless a change earlier in that request already wrote it.
                insert.Audit?.Carry(db);
            }
            db.SaveChanges();
        }
        catch (Exception e)
        {
            // Every audit row carried here is released, whatever failed: a row left "being carried" would keep its
            // request waiting for ever (PendingAudit.CloseUnwritten).
            foreach (var insert in inserts)
            {
                insert.Audit?.NotSaved(db);
            }
            error = e;
            return false;
        }
        foreach (var insert in inserts)
        {
            insert.Audit?.Saved(db);
            insert.Saved.TrySetResult();
        }
        error = null;
        return true;
    }

    /// <summary>One request's new rows, its audit row if still pending, and the request waiting for them.</summary>
    internal sealed record Insert(object[] Rows, PendingAudit? Audit, TaskCompletionSource Saved);
}

/// <summary>A group insert's transaction did not commit, so the request that handed its rows over is not done.</summary>
public sealed class InsertNotSavedException(Exception inner) : Exception("The rows were not saved; the request was not done.", inner);
