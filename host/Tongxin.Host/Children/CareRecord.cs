using MediatR;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;
using Tongxin.Host.Requests;

namespace Tongxin.Host.Children;

/// <summary>
/// <c>GET /api/children/{id}/care-record</c>: the child's care and help record (关爱帮扶记录) — the pairings
/// and their sessions, and every purchased-service delivery (a counselling session by a social-work
/// organisation shows here) — for the staff who keep and oversee the file.
/// </summary>
[AllowedRoles(Role.ChildDirector, Role.Supervisor, Role.CivilAffairs)]
public sealed record GetCareRecord(string ChildId) : IRequest<CareRecordView>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "child.care-record.read";
    string IAuditedRequest.AuditSubjectType => "child";
    string? IAuditedRequest.AuditSubjectId => ChildId;
}

public sealed record CareRecordView(string ChildId, IReadOnlyList<CarePairing> Pairings, IReadOnlyList<CareDelivery> Deliveries);

public sealed record CarePairing(string Id, string Line, string ProviderName, PairingStatus Status, DateTime StartedAt, DateTime? EndedAt, string? EndReason, int Sessions, DateTime? LastSessionAt);

public sealed record CareDelivery(string Id, string ContractTitle, string Line, string OrganisationName, DateTime At, int Units, UnitKind Kind, string Notes);

internal sealed class GetCareRecordHandler(TongxinDbContext db, ICallerAccessor callers, Security.FieldCipher cipher) : IRequestHandler<GetCareRecord, CareRecordView>
{
    public async Task<CareRecordView> Handle(GetCareRecord request, CancellationToken cancellationToken)
    {
        var child = await db.LoadForCallerAsync(request.ChildId, callers.Current!, track: false, cancellationToken);
        var pairings = await (from pairing in db.Pairings.AsNoTracking()
                              join provider in db.Providers.AsNoTracking() on pairing.ProviderId equals provider.Id
                              where pairing.ChildId == child.Id
                              orderby pairing.StartedAt descending
                              select new CarePairing(
                                  pairing.Id, pairing.Line, provider.DisplayName, pairing.Status, pairing.StartedAt, pairing.EndedAt, pairing.EndReason,
                                  db.PairingSessions.Count(s => s.PairingId == pairing.Id),
                                  db.PairingSessions.Where(s => s.PairingId == pairing.Id).Max(s => (DateTime?)s.At)))
            .ToListAsync(cancellationToken);
        var deliveries = await (from delivery in db.Deliveries.AsNoTracking()
                                join contract in db.Contracts.AsNoTracking() on delivery.ContractId equals contract.Id
                                join organisation in db.Organisations.AsNoTracking() on contract.OrganisationId equals organisation.Id
                                where delivery.ChildId == child.Id && delivery.Status == DeliveryStatus.Recorded
                                orderby delivery.At descending
                                select new CareDelivery(delivery.Id, contract.Title, contract.Line, organisation.Name, delivery.At, delivery.Units, delivery.Kind, delivery.Notes))
            .ToListAsync(cancellationToken);
        return new CareRecordView(child.Id, pairings, deliveries.Select(d => d with { Notes = cipher.Open(d.Notes) }).ToList());
    }
}
