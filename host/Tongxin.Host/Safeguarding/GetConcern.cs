using MediatR;
using Microsoft.Extensions.Options;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;
using Tongxin.Host.Requests;
using Tongxin.Host.Security;

namespace Tongxin.Host.Safeguarding;

/// <summary><c>GET /api/concerns/{id}</c>: a concern and its chain (staff of its region), or its status (whoever raised it from outside).</summary>
[AllowedRoles(Role.ChildDirector, Role.Supervisor, Role.CivilAffairs, Role.Volunteer, Role.SocialWorkOrg, Role.ProgrammeOwner)]
public sealed record GetConcern(string Id) : IRequest<ConcernView>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "concern.read";
    string IAuditedRequest.AuditSubjectType => "concern";
    string? IAuditedRequest.AuditSubjectId => Id;
}

internal sealed class GetConcernHandler(TongxinDbContext db, ICallerAccessor callers, FieldCipher cipher, ConcernEscalation escalation, IOptions<SafeguardingOptions> options)
    : IRequestHandler<GetConcern, ConcernView>
{
    public async Task<ConcernView> Handle(GetConcern request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        await escalation.EscalateOverdueAsync(cancellationToken);
        var concern = await ConcernAccess.LoadForCallerAsync(db, request.Id, caller, track: false, cancellationToken);
        return await ConcernViews.ViewAsync(db, concern, caller, cipher, options.Value.PoliceReportDeadline, cancellationToken);
    }
}
