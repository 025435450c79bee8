using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Audit;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;

namespace Tongxin.Host.Children;

/// <summary>A child's file row with the dates of its last call and last home visit.</summary>
internal sealed record StoredFile(ChildFile File, DateTime? LastCallAt, DateTime? LastHomeVisitAt);

/// <summary>
/// Reads files for <c>GET /api/children/{id}</c> in batches: one reader takes every id waiting at that moment, from
/// however many requests, and fetches them with one query. Each file is still read from the database after its
/// request arrived (any host answers with every write acknowledged before it; ADR 0009), but a busy host makes one
/// query per batch instead of one per read: on SQLite every statement is parsed again and every connection open
/// re-registers the functions, and that per-query cost was most of a read's own CPU (ADR 0010).
/// While one batch's query runs, the next one gathers; a lone read in a quiet moment goes at once.
/// <para>
/// The same batch writes each successful read's audit row, in one transaction on the connection that read the files
/// (<see cref="AuditLog.Commit"/>, the audit log's own commit), before any read in it is answered (ADR 0013). A read
/// then waits for one batch, not for a file-read batch and then an audit batch on another thread: under load each
/// batch thread's pauses (descheduled, a collection) were the reads' tail. So the region check is made here too: only
/// a read that the caller may see is "done"; a file outside the caller's region is answered as not found, and that
/// outcome, like any failure, is audited by <see cref="Requests.AuditBehaviour{TRequest,TResponse}"/> as before.
/// </para>
/// </summary>
internal sealed class ChildFileReads : BatchWorker<ChildFileReads.Waiting>
{
    /// <summary>Ids per query at most: well inside both databases' parameter limits.</summary>
    public const int MaxBatch = 256;

    /// <summary>
    /// With fewer reads than this waiting (and more than one), the batch waits a moment for more
    /// (<see cref="BatchGathering"/>): several at once means a busy moment, and each query's own cost is most of a
    /// read's CPU.
    /// </summary>
    private const int LingerBelow = 32;

    private readonly IDbContextFactory<TongxinDbContext> databases;
    private readonly AuditLog auditLog;
    private readonly ILogger<ChildFileReads> logger;

    public ChildFileReads(IDbContextFactory<TongxinDbContext> databases, AuditLog auditLog, ILogger<ChildFileReads> logger)
        : base("file reads", MaxBatch, LingerBelow)
    {
        this.databases = databases;
        this.auditLog = auditLog;
        this.logger = logger;
        Start();
    }

    /// <summary>
    /// The file, or null if there is none with that id that <paramref name="caller"/> may see. The calling request's
    /// pending audit row (<see cref="PendingAudit.Current"/>) is written with the batch when the file is found. If the
    /// batch fails (the database is unreachable, say), this request reads on its own, so it fails with its own error as
    /// any other read would (503), and its audit row is left to the audit log.
    /// </summary>
    public async Task<StoredFile?> ReadAsync(string id, Caller caller, CancellationToken cancellationToken)
    {
        var waiting = new Waiting(id, caller, PendingAudit.Current, new TaskCompletionSource<Outcome>(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            await EnqueueAsync(waiting, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            return await ReadOneAsync(id, caller, cancellationToken); // shutting down: no batches any more
        }
        var outcome = await waiting.Done.Task.WaitAsync(cancellationToken);
        return outcome.BatchFailed ? await ReadOneAsync(id, caller, cancellationToken) : outcome.File;
    }

    protected override void Process(List<Waiting> batch)
    {
        using var db = databases.CreateDbContext();
        var files = Files(db, batch.Select(w => w.Id).Distinct().ToArray()).ToList().ToDictionary(r => r.File.Id, StringComparer.Ordinal);
        var seen = new StoredFile?[batch.Count];
        var rows = new List<AuditEntry>(batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            var waiting = batch[i];
            seen[i] = Visible(files.GetValueOrDefault(waiting.Id), waiting.Caller);
            if (seen[i] is not null && waiting.Audit?.TryClaim(this) == true)
            {
                rows.Add(waiting.Audit.Entry);
            }
        }
        if (rows.Count > 0)
        {
            auditLog.Commit(db, rows);
        }
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Audit?.Saved(this);
            batch[i].Done.TrySetResult(new Outcome(seen[i], BatchFailed: false));
        }
    }

    protected override void Failed(List<Waiting> batch, Exception exception)
    {
        // Each request then reads on its own and answers with its own error (503 while the database is away); its
        // audit row, released here, goes through the audit log like any other read's.
        logger.LogDebug(exception, "A batch of {Count} file reads failed; each read retries alone.", batch.Count);
        foreach (var waiting in batch)
        {
            waiting.Audit?.NotSaved(this);
            waiting.Done.TrySetResult(new Outcome(null, BatchFailed: true));
        }
    }

    private async Task<StoredFile?> ReadOneAsync(string id, Caller caller, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return Visible(await Files(db, [id]).SingleOrDefaultAsync(cancellationToken), caller);
    }

    /// <summary>Outside the caller's region the file does not exist for them (as <c>ChildScope.LoadForCallerAsync</c>).</summary>
    private static StoredFile? Visible(StoredFile? stored, Caller caller) =>
        stored is not null && caller.CanSee(stored.File.RegionPath) ? stored : null;

    /// <summary>The files with these ids, each with its last call and last home visit (each the last entry of the (ChildId, Kind, At) index).</summary>
    private static IQueryable<StoredFile> Files(TongxinDbContext db, string[] ids) =>
        db.Children.AsNoTracking()
            // One parameter holding every id (SQLite json_each, PostgreSQL = ANY): the SQL is the same for any batch
            // size, so EF makes it once; with a parameter per id it generated the SQL again for every batch.
            .Where(c => EF.Parameter(ids).Contains(c.Id))
            .Select(c => new StoredFile(
                c,
                db.ChildContacts.Where(x => x.ChildId == c.Id && x.Kind == ContactKind.Call).Max(x => (DateTime?)x.At),
                db.ChildContacts.Where(x => x.ChildId == c.Id && x.Kind == ContactKind.HomeVisit).Max(x => (DateTime?)x.At)));

    internal sealed record Waiting(string Id, Caller Caller, PendingAudit? Audit, TaskCompletionSource<Outcome> Done);

    internal readonly record struct Outcome(StoredFile? File, bool BatchFailed);
}
