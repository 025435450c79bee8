using MediatR;
using Tongxin.Host.Audit;
using Tongxin.Host.Errors;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;

namespace Tongxin.Host.Requests;

/// <summary>
/// Writes one append-only audit row for every audited request, whatever its outcome (done, refused,
/// not found, invalid). It runs outermost, so refused access (403) is audited too. The request is answered
/// only once its row is committed (ADR 0009, 0010):
/// <list type="bullet">
/// <item>a change carries the row in its own transaction: the first save in the request's flow that writes
/// anything, in the handler's context or in a grain's, on whichever host runs it (<see cref="PendingAudit"/>,
/// <see cref="Grains.AuditRowFlow"/>);</item>
/// <item>a request that changes nothing (a read, a refusal, a failure) appends the row through
/// <see cref="AuditLog"/>, which commits the rows of many requests together and answers each only after
/// its batch has committed.</item>
/// </list>
/// </summary>
internal sealed class AuditBehaviour<TRequest, TResponse>(TongxinDbContext db, ICallerAccessor callers, TimeProvider clock, AuditLog auditLog)
    : IPipelineBehavior<TRequest, TResponse>
    where TRequest : IRequest<TResponse>
{
    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        if (request is not IAuditedRequest audited)
        {
            try
            {
                return await next();
            }
            catch (AccessDeniedException)
            {
                // Every refused access is audited, whatever was asked for.
                db.ChangeTracker.Clear();
                await auditLog.AppendAsync(new AuditEntry
                {
                    Id = Ids.New(),
                    At = clock.GetUtcNow().UtcDateTime,
                    UserId = callers.Current?.UserId,
                    Role = callers.Current?.Role.Name(),
                    Action = System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(typeof(TRequest).Name),
                    SubjectType = "request",
                    Outcome = AuditOutcomes.Denied,
                });
                throw;
            }
        }

        var caller = callers.Current;
        var entry = new AuditEntry
        {
            Id = Ids.New(),
            At = clock.GetUtcNow().UtcDateTime,
            UserId = caller?.UserId,
            Role = caller?.Role.Name(),
            Action = audited.AuditAction,
            SubjectType = audited.AuditSubjectType,
            SubjectId = audited.AuditSubjectId,
            Outcome = AuditOutcomes.Done,
        };
        var pending = new PendingAudit(entry);
        // Set here, so it flows into the handler and the grain turns it calls, and is gone again for our caller.
        PendingAudit.Current = pending;
        TResponse response;
        try
        {
            response = await next();
        }
        catch (Exception exception)
        {
            // Nothing the failed request staged may be written; the audit row alone is. If a change already
            // committed the "done" row, the failure gets a row of its own; if the change committed the refusal itself
            // and its row already says so (PendingAudit.EndsAs), that row is the request's one row.
            var written = !pending.CloseUnwritten();
            PendingAudit.Current = null;
            db.ChangeTracker.Clear();
            var outcome = AuditOutcomes.From(exception);
            if (!written || entry.Outcome != outcome)
            {
                await auditLog.AppendAsync(entry with { Id = written ? Ids.New() : entry.Id, Outcome = outcome });
            }
            throw;
        }

        var unwritten = pending.CloseUnwritten();
        PendingAudit.Current = null;
        // A create learns its subject from its response; a request that named its subject keeps it (a need is
        // requested for a child: the row belongs in that child's trail).
        var learned = entry.SubjectId is null && response is IAuditSubject subject ? subject.AuditSubjectId : null;
        if (unwritten)
        {
            await auditLog.AppendAsync(learned is null ? entry : entry with { SubjectId = learned });
        }
        else if (learned is not null)
        {
            // The change wrote the row before its id was known: name the subject now (creates only).
            if (db.Entry(entry).State == Microsoft.EntityFrameworkCore.EntityState.Detached)
            {
                db.AuditEntries.Attach(entry); // written by a grain's own context
            }
            entry.SubjectId = learned;
            db.Entry(entry).Property(e => e.SubjectId).IsModified = true;
            await db.SaveChangesAsync(CancellationToken.None);
        }
        return response;
    }
}
