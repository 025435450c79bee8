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
    // One round trip, compiled once per database provider (a compiled query is bound to the model it first ran
    // with): the file and the last call and home visit (index ChildId, At), read fresh from the database on every
    // request, so any host answers with every write acknowledged before the request (ADR 0009).
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Func<TongxinDbContext, string, Task<StoredFile?>>> ReadFile = new();

    private static Func<TongxinDbContext, string, Task<StoredFile?>> Compile() => EF.CompileAsyncQuery(
        (TongxinDbContext db, string id) => db.Children.AsNoTracking()
            .Where(c => c.Id == id)
            .Select(c => new StoredFile(
                c,
                db.ChildContacts.Where(x => x.ChildId == id && x.Kind == ContactKind.Call).Max(x => (DateTime?)x.At),
                db.ChildContacts.Where(x => x.ChildId == id && x.Kind == ContactKind.HomeVisit).Max(x => (DateTime?)x.At)))
            .SingleOrDefault());

    public async Task<ChildFileView> Handle(GetChild request, CancellationToken cancellationToken)
    {
        var stored = await ReadFile.GetOrAdd(db.Database.ProviderName!, _ => Compile())(db, request.Id);
        // Outside the caller's region the file does not exist for them (as ChildScope.LoadForCallerAsync).
        if (stored is null || !callers.Current!.CanSee(stored.File.RegionPath))
        {
            throw Errors.NotFoundException.Child();
        }
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

    internal sealed record StoredFile(ChildFile File, DateTime? LastCallAt, DateTime? LastHomeVisitAt);
}
