using MediatR;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Identity;
using Tongxin.Host.Modules;
using Tongxin.Host.Persistence;
using Tongxin.Host.Regions;
using Tongxin.Host.Requests;
using Tongxin.Host.Text;

namespace Tongxin.Host.PurchasedServices;

/// <summary>
/// <c>GET /api/contracts/{id}/reconciliation</c>: what was bought, delivered and spent, by town and by month,
/// and the patterns an auditor looks for. Only recorded deliveries count (not corrected or withdrawn ones).
/// </summary>
[AllowedRoles(Role.CivilAffairs, Role.Supervisor, Role.SocialWorkOrg)]
public sealed record GetReconciliation(string ContractId) : IRequest<ReconciliationView>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "contract.reconciliation.read";
    string IAuditedRequest.AuditSubjectType => "contract";
    string? IAuditedRequest.AuditSubjectId => ContractId;
}

public sealed record ReconciliationView(
    string ContractId,
    int Contracted,
    int Delivered,
    int Remaining,
    decimal ContractedAmount,
    decimal Spent,
    decimal RemainingAmount,
    IReadOnlyList<TownLine> ByTown,
    IReadOnlyList<MonthLine> ByMonth,
    IReadOnlyList<ReconciliationFlag> Flags);

public sealed record TownLine(string TownCode, string TownName, int Units, decimal Amount, int Children);

public sealed record MonthLine(string Month, int Units, decimal Amount);

/// <summary>
/// A pattern worth a look: <c>same-child-same-day</c> (a child served twice on one day),
/// <c>end-of-period-cluster</c> (much of the work reported at the very end), <c>no-need-or-pairing</c>
/// (a child served with no open need or pairing on the contract's line).
/// </summary>
public sealed record ReconciliationFlag(string Kind, string Message, string? ChildId = null, DateOnly? Date = null, int? Count = null, decimal? Share = null);

internal sealed class GetReconciliationHandler(TongxinDbContext db, ICallerAccessor callers, ModuleCatalog modules) : IRequestHandler<GetReconciliation, ReconciliationView>
{
    /// <summary>The last tenth of the period; flagged when it holds more than 40% of the units.</summary>
    public const double EndWindowShareOfPeriod = 0.1;
    public const decimal EndClusterThreshold = 0.4m;

    public async Task<ReconciliationView> Handle(GetReconciliation request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var (contract, _) = await db.LoadForCallerAsync(request.ContractId, caller, cancellationToken);
        var scope = ContractAccess.RowScope(caller);
        var deliveries = await db.Deliveries.AsNoTracking()
            .Where(d => d.ContractId == contract.Id && d.Status == DeliveryStatus.Recorded && d.RegionPath.StartsWith(scope))
            .Select(d => new { d.ChildId, d.RegionPath, d.At, d.Units })
            .ToListAsync(cancellationToken);

        var delivered = deliveries.Sum(d => d.Units);
        var townCodes = deliveries.Select(d => RegionPaths.Town(d.RegionPath)).Distinct().ToList();
        var townNames = await db.Regions.AsNoTracking().Where(r => townCodes.Contains(r.Code)).ToDictionaryAsync(r => r.Code, r => r.Name, cancellationToken);
        var byTown = deliveries.GroupBy(d => RegionPaths.Town(d.RegionPath))
            .Select(g => new TownLine(g.Key, townNames.GetValueOrDefault(g.Key, g.Key), g.Sum(d => d.Units), Amount(contract, g.Sum(d => d.Units)), g.Select(d => d.ChildId).Distinct().Count()))
            .OrderBy(t => t.TownCode, StringComparer.Ordinal).ToList();
        var byMonth = deliveries.GroupBy(d => DeliveryRules.ChinaDay(d.At).ToString("yyyy-MM"))
            .Select(g => new MonthLine(g.Key, g.Sum(d => d.Units), Amount(contract, g.Sum(d => d.Units))))
            .OrderBy(m => m.Month, StringComparer.Ordinal).ToList();

        var flags = new List<ReconciliationFlag>();
        foreach (var twice in deliveries.GroupBy(d => (d.ChildId, Day: DeliveryRules.ChinaDay(d.At))).Where(g => g.Count() > 1).OrderBy(g => g.Key.Day))
        {
            flags.Add(new ReconciliationFlag("same-child-same-day", HostTexts.Local("flag.sameDay", twice.Key.Day.ToString("yyyy-MM-dd"), twice.Count()),
                twice.Key.ChildId, twice.Key.Day, twice.Count()));
        }
        var periodDays = contract.EndsOn.DayNumber - contract.StartsOn.DayNumber + 1;
        var windowStart = contract.EndsOn.AddDays(-Math.Max(1, (int)Math.Ceiling(periodDays * EndWindowShareOfPeriod)) + 1);
        var atEnd = deliveries.Where(d => DeliveryRules.ChinaDay(d.At) >= windowStart).Sum(d => d.Units);
        if (delivered > 0 && (decimal)atEnd / delivered > EndClusterThreshold)
        {
            var share = Math.Round((decimal)atEnd / delivered, 2);
            flags.Add(new ReconciliationFlag("end-of-period-cluster", HostTexts.Local("flag.endCluster", windowStart.ToString("yyyy-MM-dd"), (int)(share * 100)),
                Date: windowStart, Share: share));
        }
        if (ServiceKinds.IsMatchingLine(modules, contract.Line))
        {
            var served = deliveries.Select(d => d.ChildId).Distinct().ToList();
            var withNeed = await db.Needs.AsNoTracking()
                .Where(n => n.Line == contract.Line && served.Contains(n.ChildId) && (n.Status == NeedStatus.Open || n.Status == NeedStatus.Offered || n.Status == NeedStatus.Matched))
                .Select(n => n.ChildId).ToListAsync(cancellationToken);
            var withPairing = await db.Pairings.AsNoTracking()
                .Where(p => p.Line == contract.Line && served.Contains(p.ChildId) && p.Status == PairingStatus.Active)
                .Select(p => p.ChildId).ToListAsync(cancellationToken);
            foreach (var child in served.Except(withNeed).Except(withPairing).Order(StringComparer.Ordinal))
            {
                flags.Add(new ReconciliationFlag("no-need-or-pairing", HostTexts.Local("flag.noNeed", modules.Find(contract.Line)!.Info.Name.ForCurrentCulture()), child));
            }
        }

        var remaining = contract.Units - contract.DeliveredUnits;
        return new ReconciliationView(
            contract.Id, contract.Units, delivered, remaining, Amount(contract, contract.Units), Amount(contract, delivered), Amount(contract, remaining),
            byTown, byMonth, flags);
    }

    private static decimal Amount(PurchasedServiceContract contract, int units) => Money.ToYuan(contract.UnitPriceFen * units);
}
