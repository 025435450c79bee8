using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tongxin.Host.Escalation;
using Tongxin.Host.Identity;
using Tongxin.Host.Modules;
using Tongxin.Host.Persistence;
using Tongxin.Host.PurchasedServices;
using Tongxin.Host.Regions;
using Tongxin.Host.Requests;
using Tongxin.Host.Safeguarding;

namespace Tongxin.Host.Reports;

/// <summary>
/// <c>GET /api/reports/ledger?regionCode=&amp;quarter=2026Q3</c>: the quarterly ledger (信息台账) per town and in total —
/// children by category, risk and priority group, the quarter's changes, needs by line and status, pairings, and
/// each child director's contact rhythm. Counts only. Due by the 20th of the quarter's last month (002 §5.2).
/// </summary>
[AllowedRoles(Role.Supervisor, Role.CivilAffairs)]
public sealed record GetLedger(string? RegionCode, string? Quarter) : IRequest<LedgerReport>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "report.ledger.read";
    string IAuditedRequest.AuditSubjectType => "region";
    string? IAuditedRequest.AuditSubjectId => RegionCode;
}

public sealed record LedgerReport(string Quarter, DateTime PeriodStart, DateTime PeriodEnd, DateTime AsOf, DateOnly DueOn, string RegionCode, string RegionName,
    TownReport Total, IReadOnlyList<TownReport> Towns, IReadOnlyList<LedgerComparison> Comparisons)
{
    /// <summary>Who looks after the children, per village (issue 19): arrangements recorded and failing, as they stand today.</summary>
    public IReadOnlyList<Care.VillageCareCounts> CareByVillage { get; init; } = [];
}

/// <summary>
/// The quarter's comparison with one department's roster (003 §10), one per source (<c>education</c>, <c>police</c>):
/// whether it was uploaded and done (every item of the county resolved) and when, and its items of the report's region
/// by kind. Counts only.
/// </summary>
public sealed record LedgerComparison(string Source, bool Uploaded, DateTime? UploadedAt, bool Done, DateTime? CompletedAt, int MissingFile, int NoRosterRow, int Differs, int Open);

/// <summary>
/// <c>GET /api/reports/annual?regionCode=&amp;year=2026</c>: the annual progress report due 1 November (003 §4.2), over
/// the year to 31 October, per town and for the whole region: the ledger's figures over the year, needs that
/// climbed, purchased services bought and delivered, concerns and their outcomes, and staffing. Counts only.
/// </summary>
[AllowedRoles(Role.Supervisor, Role.CivilAffairs)]
public sealed record GetAnnualProgress(string? RegionCode, string? Year) : IRequest<AnnualReport>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "report.annual.read";
    string IAuditedRequest.AuditSubjectType => "region";
    string? IAuditedRequest.AuditSubjectId => RegionCode;
}

public sealed record EscalationFigures(int ToTown, int ToCounty);

/// <summary>Concerns raised in the year: by kind, by the stage reached now, and how many were reported to the police and escalated.</summary>
public sealed record ConcernFigures(int Raised, IReadOnlyDictionary<string, int> ByKind, IReadOnlyDictionary<string, int> ByStage, int ReportedToPolice, int Escalated);

/// <summary>
/// Purchased services of one line: units and money bought by contracts running in the year (the whole region only:
/// a contract covers several towns) and what was delivered in the year.
/// </summary>
public sealed record ServiceFigures(string Line, int? Contracts, int? UnitsBought, decimal? AmountBought, int UnitsDelivered, decimal AmountSpent);

public sealed record StaffingFigures(int Villages, int VillagesWithoutDirector, int VillagesOverThirtyPerDirector);

public sealed record AnnualTown(TownReport Figures, EscalationFigures Escalations, ConcernFigures Concerns, IReadOnlyList<ServiceFigures> Services, StaffingFigures Staffing);

public sealed record AnnualReport(string Year, DateTime PeriodStart, DateTime PeriodEnd, DateTime AsOf, DateOnly DueOn, string RegionCode, string RegionName,
    AnnualTown Total, IReadOnlyList<AnnualTown> Towns);

/// <summary><c>GET /api/reports/staffing?regionCode=</c>: per village, children with an open file and child directors; flags (003 §16).</summary>
[AllowedRoles(Role.Supervisor, Role.CivilAffairs)]
public sealed record GetStaffing(string? RegionCode) : IRequest<StaffingReport>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "report.staffing.read";
    string IAuditedRequest.AuditSubjectType => "region";
    string? IAuditedRequest.AuditSubjectId => RegionCode;
}

/// <summary>
/// A village's staffing: <see cref="NoDirector"/> when it has none (at least one per village), <see cref="OverThirtyPerDirector"/>
/// when its children exceed 30 per director (more directors are needed).
/// </summary>
public sealed record VillageStaffing(string VillageCode, string VillageName, string TownCode, int Children, int Directors, bool NoDirector, bool OverThirtyPerDirector);

public sealed record StaffingReport(StaffingFigures Summary, IReadOnlyList<VillageStaffing> Villages);

internal static class Staffing
{
    /// <summary>003 §16: more than this many left-behind and in-difficulty children per child director calls for another director.</summary>
    public const int ChildrenPerDirector = 30;

    public static List<VillageStaffing> Villages(ReportData data, string path, DateTime at) =>
        data.Villages.Where(v => v.Path.StartsWith(path, StringComparison.Ordinal)).Select(v =>
        {
            var children = data.ChildrenIn(v.Path, at).Count();
            var directors = data.Directors.Count(d => d.RegionCode == v.Code);
            return new VillageStaffing(v.Code, v.Name, RegionPaths.Town(v.Path), children, directors, directors == 0, directors > 0 && children > ChildrenPerDirector * directors);
        }).ToList();

    public static StaffingFigures Summary(IReadOnlyCollection<VillageStaffing> villages) =>
        new(villages.Count, villages.Count(v => v.NoDirector), villages.Count(v => v.OverThirtyPerDirector));
}

/// <summary>The scope's region and its towns' paths, the total first.</summary>
internal static class ReportScope
{
    public static async Task<(Region Region, string Path)> ResolveAsync(RegionDirectory regions, string? regionCode, Caller caller, CancellationToken cancellationToken)
    {
        var path = await regions.ResolveScopeAsync(regionCode, caller, cancellationToken);
        var region = await regions.FindAsync(RegionPaths.Codes(path).Last(), cancellationToken)
            ?? throw new InvalidOperationException($"The region of scope {path} does not exist.");
        return (region, path);
    }
}

internal sealed class GetLedgerHandler(
    TongxinDbContext db, RegionDirectory regions, ICallerAccessor callers, ModuleCatalog modules, IOptions<FollowupOptions> rhythm, TimeProvider clock, Care.CareOverview care)
    : IRequestHandler<GetLedger, LedgerReport>
{
    public async Task<LedgerReport> Handle(GetLedger request, CancellationToken cancellationToken)
    {
        var period = ReportPeriod.Quarter(request.Quarter, clock.GetUtcNow().UtcDateTime);
        var (region, path) = await ReportScope.ResolveAsync(regions, request.RegionCode, callers.Current!, cancellationToken);
        var data = await ReportData.LoadAsync(db, path, cancellationToken);
        var figures = new TownFigures(data, modules, rhythm.Value, await TownFigures.LoadContactsAsync(db, path, period, cancellationToken));
        return new LedgerReport(period.Name, period.Start, period.End, period.AsOf, period.DueOn, region.Code, region.Name,
            figures.For(region.Code, region.Name, path, period),
            data.Towns.Select(t => figures.For(t.Code, t.Name, path.StartsWith(t.Path, StringComparison.Ordinal) ? path : t.Path, period)).ToList(),
            await ComparisonsAsync(path, period.Name, cancellationToken))
        {
            CareByVillage = Care.CareOverview.Count(await care.ForScopeAsync(path, cancellationToken)),
        };
    }

    private async Task<List<LedgerComparison>> ComparisonsAsync(string path, string quarter, CancellationToken cancellationToken)
    {
        var countyCode = RegionPaths.County(path);
        var comparisons = await db.RosterComparisons.AsNoTracking().Where(c => c.CountyCode == countyCode && c.Quarter == quarter).ToListAsync(cancellationToken);
        var ids = comparisons.Select(c => c.Id).ToList();
        var items = await db.RosterComparisonItems.AsNoTracking()
            .Where(i => ids.Contains(i.ComparisonId) && i.RegionPath.StartsWith(path))
            .GroupBy(i => new { i.ComparisonId, i.Kind, Open = i.Resolution == null })
            .Select(g => new { g.Key.ComparisonId, g.Key.Kind, g.Key.Open, Count = g.Count() })
            .ToListAsync(cancellationToken);
        return new[] { ComparisonSource.Education, ComparisonSource.Police }.Select(source =>
        {
            var comparison = comparisons.FirstOrDefault(c => c.Source == source);
            var mine = items.Where(i => i.ComparisonId == comparison?.Id).ToList();
            int Count(ComparisonItemKind kind) => mine.Where(i => i.Kind == kind).Sum(i => i.Count);
            return new LedgerComparison(source == ComparisonSource.Education ? "education" : "police", comparison is not null, comparison?.UploadedAt,
                comparison?.CompletedAt is not null, comparison?.CompletedAt, Count(ComparisonItemKind.MissingFile), Count(ComparisonItemKind.NoRosterRow),
                Count(ComparisonItemKind.Differs), mine.Where(i => i.Open).Sum(i => i.Count));
        }).ToList();
    }
}

internal sealed class GetAnnualProgressHandler(TongxinDbContext db, RegionDirectory regions, ICallerAccessor callers, ModuleCatalog modules, IOptions<FollowupOptions> rhythm, TimeProvider clock)
    : IRequestHandler<GetAnnualProgress, AnnualReport>
{
    public async Task<AnnualReport> Handle(GetAnnualProgress request, CancellationToken cancellationToken)
    {
        var period = ReportPeriod.ProgressYear(request.Year, clock.GetUtcNow().UtcDateTime);
        var (region, path) = await ReportScope.ResolveAsync(regions, request.RegionCode, callers.Current!, cancellationToken);
        var data = await ReportData.LoadAsync(db, path, cancellationToken);
        var figures = new TownFigures(data, modules, rhythm.Value, await TownFigures.LoadContactsAsync(db, path, period, cancellationToken));
        var escalations = await db.NeedEscalations.AsNoTracking()
            .Where(e => e.RegionPath.StartsWith(path) && e.At >= period.Start && e.At <= period.AsOf)
            .Select(e => new { e.RegionPath, e.Level }).ToListAsync(cancellationToken);
        var concerns = await db.Concerns.AsNoTracking()
            .Where(c => c.RegionPath.StartsWith(path) && c.RaisedAt >= period.Start && c.RaisedAt <= period.AsOf)
            .Select(c => new { c.RegionPath, c.Kind, c.Stage, c.ReportedToPoliceAt, c.EscalatedAt }).ToListAsync(cancellationToken);
        var startDay = DateOnly.FromDateTime(period.Start.AddHours(8));
        var endDay = DateOnly.FromDateTime(period.AsOf.AddHours(8));
        var countyPrefix = $"/{RegionPaths.County(path)}/";
        var contracts = (await db.Contracts.AsNoTracking().Where(c => c.RegionPath.StartsWith(countyPrefix) && c.StartsOn <= endDay && c.EndsOn >= startDay).ToListAsync(cancellationToken))
            .Where(c => Providers.ProviderJson.Strings(c.CoveredPathsJson).Any(p => p.StartsWith(path, StringComparison.Ordinal) || path.StartsWith(p, StringComparison.Ordinal)))
            .ToList();
        var contractIds = contracts.Select(c => c.Id).ToList();
        var deliveries = await db.Deliveries.AsNoTracking()
            .Where(d => contractIds.Contains(d.ContractId) && d.Status == DeliveryStatus.Recorded && d.RegionPath.StartsWith(path) && d.At >= period.Start && d.At <= period.AsOf)
            .Select(d => new { d.ContractId, d.RegionPath, d.Units }).ToListAsync(cancellationToken);
        var contractById = contracts.ToDictionary(c => c.Id);

        AnnualTown Town(string code, string name, string townPath, bool whole)
        {
            bool In(string p) => p.StartsWith(townPath, StringComparison.Ordinal);
            var mine = concerns.Where(c => In(c.RegionPath)).ToList();
            var delivered = deliveries.Where(d => In(d.RegionPath)).ToList();
            var services = contracts.Select(c => c.Line).Concat(delivered.Select(d => contractById[d.ContractId].Line)).Distinct().Order(StringComparer.Ordinal)
                .Select(line =>
                {
                    var bought = contracts.Where(c => c.Line == line).ToList();
                    var done = delivered.Where(d => contractById[d.ContractId].Line == line).ToList();
                    return new ServiceFigures(line,
                        whole ? bought.Count : null,
                        whole ? bought.Sum(c => c.Units) : null,
                        whole ? Money.ToYuan(bought.Sum(c => c.Units * c.UnitPriceFen)) : null,
                        done.Sum(d => d.Units),
                        Money.ToYuan(done.Sum(d => d.Units * contractById[d.ContractId].UnitPriceFen)));
                }).ToList();
            return new AnnualTown(
                figures.For(code, name, townPath, period),
                new EscalationFigures(escalations.Count(e => In(e.RegionPath) && e.Level == EscalationLevel.Town), escalations.Count(e => In(e.RegionPath) && e.Level == EscalationLevel.County)),
                new ConcernFigures(mine.Count,
                    mine.GroupBy(c => Kebab(c.Kind.ToString())).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
                    mine.GroupBy(c => Kebab(c.Stage.ToString())).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
                    mine.Count(c => c.ReportedToPoliceAt is not null), mine.Count(c => c.EscalatedAt is not null)),
                services,
                Staffing.Summary(Staffing.Villages(data, townPath, period.AsOf)));
        }

        return new AnnualReport(period.Name, period.Start, period.End, period.AsOf, period.DueOn, region.Code, region.Name,
            Town(region.Code, region.Name, path, whole: true),
            data.Towns.Select(t => Town(t.Code, t.Name, path.StartsWith(t.Path, StringComparison.Ordinal) ? path : t.Path, whole: false)).ToList());
    }

    private static string Kebab(string name) => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(name);
}

internal sealed class GetStaffingHandler(TongxinDbContext db, RegionDirectory regions, ICallerAccessor callers, TimeProvider clock) : IRequestHandler<GetStaffing, StaffingReport>
{
    public async Task<StaffingReport> Handle(GetStaffing request, CancellationToken cancellationToken)
    {
        var (_, path) = await ReportScope.ResolveAsync(regions, request.RegionCode, callers.Current!, cancellationToken);
        var data = await ReportData.LoadAsync(db, path, cancellationToken);
        var villages = Staffing.Villages(data, path, clock.GetUtcNow().UtcDateTime);
        return new StaffingReport(Staffing.Summary(villages), villages);
    }
}
