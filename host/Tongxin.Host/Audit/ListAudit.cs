using MediatR;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Children;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;
using Tongxin.Host.Requests;

namespace Tongxin.Host.Audit;

/// <summary><c>GET /api/audit?childId=</c>: who touched a child's file, when, and how it ended (civil affairs of the child's county).</summary>
[AllowedRoles(Role.CivilAffairs)]
public sealed record ListAudit(string ChildId) : IRequest<IReadOnlyList<AuditView>>, IAuditedRequest
{
    // Who worked with a child is itself about the child: reading the trail is in the trail.
    string IAuditedRequest.AuditAction => "child.audit.read";
    string IAuditedRequest.AuditSubjectType => "child";
    string? IAuditedRequest.AuditSubjectId => ChildId;
}

public sealed record AuditView(string Id, DateTime At, string? UserId, string? Role, string Action, string SubjectType, string? SubjectId, string Outcome);

internal sealed class ListAuditHandler(TongxinDbContext db, ICallerAccessor callers) : IRequestHandler<ListAudit, IReadOnlyList<AuditView>>
{
    public async Task<IReadOnlyList<AuditView>> Handle(ListAudit request, CancellationToken cancellationToken)
    {
        var child = await db.LoadForCallerAsync(request.ChildId, callers.Current!, track: false, cancellationToken);
        return await db.AuditEntries.AsNoTracking()
            .Where(a => a.SubjectType == "child" && a.SubjectId == child.Id)
            .OrderBy(a => a.At).ThenBy(a => a.Id)
            .Select(a => new AuditView(a.Id, a.At, a.UserId, a.Role, a.Action, a.SubjectType, a.SubjectId, a.Outcome))
            .ToListAsync(cancellationToken);
    }
}

internal sealed class AuditEndpoints : IEndpointGroup
{
    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/audit", async (string childId, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListAudit(childId), ct)))
            .RequireAuthorization()
            .WithTags("Audit")
            .WithSummary("The audit trail of a child's file (civil affairs)")
            .RequireRateLimiting(Security.RateLimitOptions.ListsAndExports)
            .ProducesProblem(403).ProducesProblem(404);
    }
}
