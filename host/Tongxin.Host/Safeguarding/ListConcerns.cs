using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;
using Tongxin.Host.Requests;
using Tongxin.Host.Security;

namespace Tongxin.Host.Safeguarding;

/// <summary>
/// <c>GET /api/concerns?status=</c>: staff see the concerns of their region with details; whoever raised a
/// concern from outside the file's staff (volunteer, organisation) sees its status only.
/// </summary>
[AllowedRoles(Role.ChildDirector, Role.Supervisor, Role.CivilAffairs, Role.Volunteer, Role.SocialWorkOrg, Role.ProgrammeOwner)]
public sealed record ListConcerns(string? Status) : IRequest<IReadOnlyList<ConcernView>>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "concern.list";
    // The caller's region (staff), or the concerns the caller raised.
    string IAuditedRequest.AuditSubjectType => "region";
    string? IAuditedRequest.AuditSubjectId => null;
}

internal sealed class ListConcernsHandler(
    TongxinDbContext db, ICallerAccessor callers, FieldCipher cipher, ConcernEscalation escalation, IOptions<SafeguardingOptions> options)
    : IRequestHandler<ListConcerns, IReadOnlyList<ConcernView>>
{
    public async Task<IReadOnlyList<ConcernView>> Handle(ListConcerns request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        await escalation.EscalateOverdueAsync(cancellationToken);
        // Parsed before the query is built, so a bad value is a 400 naming the field.
        var stage = request.Status is null or "" or "open" or "escalated" ? (ConcernStage?)null : QueryValues.Enum<ConcernStage>(request.Status, "status");
        var query = db.Concerns.AsNoTracking();
        query = ChildContact.IsFileStaff(caller) ? query.Where(c => c.RegionPath.StartsWith(caller.RegionPath)) : query.Where(c => c.RaisedByUserId == caller.UserId);
        query = request.Status switch
        {
            null or "" => query,
            "open" => query.Where(c => c.Stage != ConcernStage.Assisted),
            "escalated" => query.Where(c => c.EscalatedAt != null),
            _ => query.Where(c => c.Stage == stage),
        };
        var concerns = await query.OrderByDescending(c => c.RaisedAt).Take(500).ToListAsync(cancellationToken);
        var views = new List<ConcernView>();
        foreach (var concern in concerns)
        {
            views.Add(await ConcernViews.ViewAsync(db, concern, caller, cipher, options.Value.PoliceReportDeadline, cancellationToken));
        }
        return views;
    }
}
