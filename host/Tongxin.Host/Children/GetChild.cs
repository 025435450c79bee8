using MediatR;
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

internal sealed class GetChildHandler(ChildFileReads files, ICallerAccessor callers, TimeProvider clock) : IRequestHandler<GetChild, ChildFileView>
{
    public async Task<ChildFileView> Handle(GetChild request, CancellationToken cancellationToken)
    {
        // Fresh from the database on every request, in a batch with the other reads arriving now, which also writes
        // this read's audit row; a file outside the caller's region is not found (ChildFileReads).
        var stored = await files.ReadAsync(request.Id, callers.Current!, cancellationToken)
            ?? throw Errors.NotFoundException.Child();
        var file = stored.File;
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
            stored.LastCallAt,
            stored.LastHomeVisitAt,
            file.ClosedAt,
            file.ClosedReason);
    }
}
