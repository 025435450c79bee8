using MediatR;
using Tongxin.Host.Audit;
using Tongxin.Host.Errors;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;

namespace Tongxin.Host.Requests;

/// <summary>
/// Writes one append-only audit row for every audited request, whatever its outcome (done, refused,
/// not found, invalid). It runs outermost, so refused access (403) is audited too. A change and its
/// audit row are saved together: the row is added to the same unit of work before the handler runs.
/// </summary>
internal sealed class AuditBehaviour<TRequest, TResponse>(TongxinDbContext db, ICallerAccessor callers, TimeProvider clock)
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
                db.AuditEntries.Add(new AuditEntry
                {
                    Id = Ids.New(),
                    At = clock.GetUtcNow().UtcDateTime,
                    UserId = callers.Current?.UserId,
                    Role = callers.Current?.Role.Name(),
                    Action = System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(typeof(TRequest).Name),
                    SubjectType = "request",
                    Outcome = AuditOutcomes.Denied,
                });
                await db.SaveChangesAsync(CancellationToken.None);
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
        db.AuditEntries.Add(entry);
        try
        {
            var response = await next();
            if (response is IAuditSubject subject)
            {
                entry.SubjectId = subject.AuditSubjectId;
            }
            // Saves the row for reads; for changes the handler's SaveChanges has already written both.
            await db.SaveChangesAsync(cancellationToken);
            return response;
        }
        catch (Exception exception)
        {
            // Nothing the failed request staged may be written; the audit row alone is.
            var alreadySaved = db.Entry(entry).State == Microsoft.EntityFrameworkCore.EntityState.Unchanged;
            db.ChangeTracker.Clear();
            db.AuditEntries.Add(entry with { Id = alreadySaved ? Ids.New() : entry.Id, Outcome = AuditOutcomes.From(exception) });
            await db.SaveChangesAsync(CancellationToken.None);
            throw;
        }
    }
}
