using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Tongxin.Host.Audit;

/// <summary>
/// The audit row of the request this async flow runs for, until a save writes it. A change made anywhere in
/// the request (the handler's DbContext, or a grain's own context inside its turn, which runs in the caller's
/// flow) carries the row in its own SaveChanges, so the change and its audit row commit in one transaction.
/// A request that changes nothing leaves the row to <see cref="AuditLog"/> (group commit).
/// </summary>
internal sealed class PendingAudit(AuditEntry entry)
{
    private const int Open = 0, Carrying = 1, Written = 2, Closed = 3;

    private int state;
    private object? carrier;

    public AuditEntry Entry { get; } = entry;

    /// <summary>The row was committed with a change (by the first save in the flow that wrote anything).</summary>
    public bool IsWritten => Volatile.Read(ref state) == Written;

    private static readonly AsyncLocal<PendingAudit?> Flow = new();

    /// <summary>The pending row of the current flow, if a request is being audited.</summary>
    public static PendingAudit? Current
    {
        get => Flow.Value;
        set => Flow.Value = value;
    }

    /// <summary>
    /// Ends the request's claim on the row: true when no save carried it (the caller then appends it through
    /// the audit log), false when a change already committed it. Any later save in a flow that still sees this
    /// object (work started by the request and outliving it) no longer carries it, so the row is never written twice.
    /// </summary>
    public bool CloseUnwritten()
    {
        var spin = new SpinWait();
        while (true)
        {
            switch (Interlocked.CompareExchange(ref state, Closed, Open))
            {
                case Open:
                    return true;
                case Carrying:
                    // Only work that outlived its request's handler can be saving now; its save settles soon.
                    spin.SpinOnce();
                    continue;
                default:
                    return false;
            }
        }
    }

    /// <summary>
    /// How the request ends, for a change that commits its own refusal (an offer that can no longer be kept is marked
    /// so and its need reopened, and the request answers 409): the row that change carries says so, and the request's
    /// pipeline, failing with that same outcome, writes no second row. Called on each side of a grain call: the grain's
    /// (the row it saves) and the handler's (the row the pipeline sees).
    /// </summary>
    internal void EndsAs(string outcome) => Entry.Outcome = outcome;

    internal void Carry(DbContext context)
    {
        if (TryClaim(context))
        {
            context.Add(Entry);
        }
    }

    /// <summary>
    /// Claims the row for a write that <paramref name="carrier"/> makes itself (not through a context's change tracking):
    /// true if the row was still pending; settle it with <see cref="Saved"/> or <see cref="NotSaved"/> and the same carrier.
    /// </summary>
    internal bool TryClaim(object carrier)
    {
        if (Interlocked.CompareExchange(ref state, Carrying, Open) != Open)
        {
            return false;
        }
        this.carrier = carrier;
        return true;
    }

    internal void Saved(object carrier)
    {
        if (ReferenceEquals(this.carrier, carrier))
        {
            this.carrier = null;
            Volatile.Write(ref state, Written);
        }
    }

    internal void NotSaved(object carrier)
    {
        if (ReferenceEquals(this.carrier, carrier))
        {
            if (carrier is DbContext context)
            {
                // The transaction rolled back: the row was not written and must not stay staged in that context.
                context.Entry(Entry).State = EntityState.Detached;
            }
            // Nor did the change end the request: a retried call decides the outcome afresh.
            Entry.Outcome = AuditOutcomes.Done;
            this.carrier = null;
            Volatile.Write(ref state, Open);
        }
    }
}

/// <summary>Adds the flow's pending audit row to the first save that writes a change (see <see cref="PendingAudit"/>).</summary>
internal sealed class AuditRowWithChange : SaveChangesInterceptor
{
    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        CarryPending(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        CarryPending(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Settle(eventData.Context, saved: true);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Settle(eventData.Context, saved: true);
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Settle(eventData.Context, saved: false);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Settle(eventData.Context, saved: false);
        return Task.CompletedTask;
    }

    public override void SaveChangesCanceled(DbContextEventData eventData) => Settle(eventData.Context, saved: false);

    public override Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken cancellationToken = default)
    {
        Settle(eventData.Context, saved: false);
        return Task.CompletedTask;
    }

    private static void CarryPending(DbContext? context)
    {
        if (context is not null && PendingAudit.Current is { } pending && context.ChangeTracker.HasChanges())
        {
            pending.Carry(context);
        }
    }

    private static void Settle(DbContext? context, bool saved)
    {
        if (context is null || PendingAudit.Current is not { } pending)
        {
            return;
        }
        if (saved)
        {
            pending.Saved(context);
        }
        else
        {
            pending.NotSaved(context);
        }
    }
}
