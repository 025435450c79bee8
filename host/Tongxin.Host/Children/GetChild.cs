using MediatR;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;
using Tongxin.Host.Requests;

namespace Tongxin.Host.Children;

/// <summary><c>GET /api/children/{id}</c>: the whole file, for the staff of its region.</summary>
[AllowedRoles(Role.ChildDirector, Role.Supervisor, Role.CivilAffairs)]
public sealed record GetChild(string Id) : IRequest<ChildFileView>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "child.read";
    string IAuditedRequest.AuditSubjectType => "child";
    string? IAuditedRequest.AuditSubjectId => Id;
}

internal sealed class GetChildHandler(TongxinDbContext db, ICallerAccessor callers, TimeProvider clock) : IRequestHandler<GetChild, ChildFileView>
{
    public async Task<ChildFileView> Handle(GetChild request, CancellationToken cancellationToken)
    {
        var file = await db.LoadForCallerAsync(request.Id, callers.Current!, track: false, cancellationToken);
        var lastContacts = await db.ChildContacts.AsNoTracking()
            .Where(c => c.ChildId == file.Id)
            .GroupBy(c => c.Kind)
            .Select(g => new { Kind = g.Key, Last = g.Max(c => c.At) })
            .ToListAsync(cancellationToken);
        return new ChildFileView(
            file.Id,
            file.GivenName,
            file.FamilyName,
            file.Gender,
            file.BirthDate,
            ChinaCalendar.AgeOn(file.BirthDate, clock.Today()),
            file.VillageCode,
            file.Category,
            file.GuardianSituation,
            file.RiskLevel,
            PriorityGroups.Of(file),
            ChildViewMapping.Consent(file),
            file.Version,
            file.CreatedAt,
            file.UpdatedAt,
            lastContacts.FirstOrDefault(c => c.Kind == ContactKind.Call)?.Last,
            lastContacts.FirstOrDefault(c => c.Kind == ContactKind.HomeVisit)?.Last,
            file.ClosedAt,
            file.ClosedReason);
    }
}
