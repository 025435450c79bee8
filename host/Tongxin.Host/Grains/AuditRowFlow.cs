using Orleans;
using Orleans.Concurrency;
using Orleans.Runtime;
using Tongxin.Host.Audit;
using Tongxin.Host.Errors;

namespace Tongxin.Host.Grains;

/// <summary>
/// A change and its audit row commit in one transaction (ADR 0009), also when a grain on another host makes the
/// change. The request's pending row (<see cref="PendingAudit"/>, an async-local of the HTTP request) travels with
/// the grain call in Orleans' request context; on the grain's side it becomes that turn's pending row, which the
/// grain's first save carries as a handler's save would. The rule callers rely on:
/// <list type="bullet">
/// <item>a call that returns has committed the row: with its change, or, if it changed nothing, alone through
/// <see cref="AuditLog"/> before returning;</item>
/// <item>a call that throws one of our own exceptions (404, 409, 422 …) committed nothing, so the request's
/// pipeline writes the row with that outcome;</item>
/// <item>a call that failed otherwise (a host died, a timeout) may or may not have committed it: the row counts as
/// written, and the failure gets a row of its own, so no row id is ever written twice.</item>
/// </list>
/// Read-only calls (<see cref="ReadOnlyAttribute"/>) do not take the row: the request may still change something after.
/// </summary>
internal sealed class AuditRowFlow(AuditLog auditLog) : IOutgoingGrainCallFilter, IIncomingGrainCallFilter
{
    private const string Key = "tongxin.audit";

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        var pending = PendingAudit.Current;
        if (pending is null || context.InterfaceMethod is null || context.InterfaceMethod.IsDefined(typeof(ReadOnlyAttribute), inherit: true)
            || !pending.TryClaim(context))
        {
            // Only the call that claims the row carries it. A grain's activation runs in the request context of the
            // message that activated it, row included, before the incoming filter below takes the row off: a call it
            // makes then (the matchmaker asking for its reminder) would carry the row too, and the row be written twice.
            RequestContext.Remove(Key);
            await context.Invoke();
            return;
        }
        RequestContext.Set(Key, pending.Entry);
        try
        {
            await context.Invoke();
        }
        catch (Exception e) when (IsOurs(e))
        {
            pending.NotSaved(context);
            throw;
        }
        catch
        {
            pending.Saved(context);
            throw;
        }
        finally
        {
            RequestContext.Remove(Key);
        }
        pending.Saved(context);
    }

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (RequestContext.Get(Key) is not AuditEntry entry)
        {
            await context.Invoke();
            return;
        }
        // Taken off the context: calls this grain makes to others carry the row only through the pending row below.
        RequestContext.Remove(Key);
        var pending = new PendingAudit(entry);
        PendingAudit.Current = pending;
        try
        {
            await context.Invoke();
        }
        finally
        {
            PendingAudit.Current = null;
        }
        if (pending.CloseUnwritten())
        {
            await auditLog.AppendAsync(entry);
        }
    }

    /// <summary>Thrown by our own code before anything was committed (see the class comment).</summary>
    private static bool IsOurs(Exception e) =>
        e is NotFoundException or ConflictException or RuleViolationException or RequestValidationException or AccessDeniedException;
}
