using MediatR;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Escalation;
using Tongxin.Host.Identity;
using Tongxin.Host.Matching;
using Tongxin.Host.Modules;
using Tongxin.Host.Persistence;
using Tongxin.Host.Regions;
using Tongxin.Host.Requests;

namespace Tongxin.Host.Reports;

/// <summary>
/// <c>GET /api/reports/gaps?regionCode=</c>: for each town and line, the needs waiting and how long, against the
/// providers serving the town and their free places — where a programme owner should recruit. Counts only.
/// </summary>
[AllowedRoles(Role.Supervisor, Role.CivilAffairs, Role.ProgrammeOwner)]
public sealed record GetGapMap(string? RegionCode) : IRequest<GapMapReport>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "report.gaps.read";
    string IAuditedRequest.AuditSubjectType => "region";
    string? IAuditedRequest.AuditSubjectId => RegionCode;
}

/// <summary>
/// One town and line. Days waiting are since the need was asked for, over the needs still open (or offered and
/// unanswered); median and 90th percentile by nearest rank, empty with no need waiting. A provider serves the
/// town when it is based in it or covers it (a county-wide programme serves every town); only providers that may
/// be offered anything today count (vetted, programme not ended). Free places are capacity less pairings and
/// offers awaiting an answer.
/// </summary>
public sealed record GapRow(string TownCode, string TownName, string Line, string LineName, int OpenNeeds, int Escalated,
    double? MedianDaysWaiting, double? P90DaysWaiting, int Providers, int FreePlaces);

public sealed record GapMapReport(string RegionCode, DateTime AsOf, IReadOnlyList<GapRow> Rows);

internal sealed class GetGapMapHandler(TongxinDbContext db, RegionDirectory regions, ICallerAccessor callers, ModuleCatalog modules, TimeProvider clock) : IRequestHandler<GetGapMap, GapMapReport>
{
    public async Task<GapMapReport> Handle(GetGapMap request, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var today = clock.Today();
        var (region, path) = await ReportScope.ResolveAsync(regions, request.RegionCode, callers.Current!, cancellationToken);
        var towns = await db.Regions.AsNoTracking()
            .Where(r => r.Kind == RegionKind.Town && (r.Path.StartsWith(path) || path.StartsWith(r.Path)))
            .OrderBy(r => r.Code).ToListAsync(cancellationToken);
        var open = await db.Needs.AsNoTracking()
            .Where(n => n.RegionPath.StartsWith(path) && (n.Status == NeedStatus.Open || n.Status == NeedStatus.Offered))
            .Select(n => new { n.Id, n.Line, n.RegionPath, n.CreatedAt }).ToListAsync(cancellationToken);
        var openIds = open.Select(n => n.Id).ToList();
        var escalated = (await db.NeedEscalations.AsNoTracking().Where(e => openIds.Contains(e.NeedId)).Select(e => e.NeedId).ToListAsync(cancellationToken)).ToHashSet();
        var pool = await CandidatePool.LoadAsync(db, RegionPaths.County(path), cancellationToken);

        var rows = new List<GapRow>();
        foreach (var town in towns)
        {
            // Asked about one village, the town's row counts that village's needs only.
            var townPath = path.StartsWith(town.Path, StringComparison.Ordinal) ? path : town.Path;
            foreach (var module in modules.All.Select(m => m.Module))
            {
                var line = module.Info.Key;
                var rules = new CandidateRules(module, now, today);
                var waiting = open.Where(n => n.Line == line && n.RegionPath.StartsWith(townPath, StringComparison.Ordinal)).ToList();
                var days = waiting.Select(n => (now - n.CreatedAt).TotalDays).Order().ToList();
                // The rules of a provider that matching applies (CandidateRules: the line, vetting), for the providers local to the town.
                var serving = pool.Providers.Where(p => CandidateRules.OffersLine(p, line) && rules.Available(p.Entity)
                    && CandidateRules.IsLocalTo(p, town.Path)).ToList();
                rows.Add(new GapRow(town.Code, town.Name, line, module.Info.Name.ForCurrentCulture(), waiting.Count, waiting.Count(n => escalated.Contains(n.Id)),
                    NearestRank(days, 50), NearestRank(days, 90), serving.Count,
                    serving.Sum(p => Math.Max(0, p.Free))));
            }
        }
        return new GapMapReport(region.Code, now, rows);
    }

    /// <summary>The nearest-rank percentile of sorted values (the smallest value with at least p% at or below it), one decimal.</summary>
    public static double? NearestRank(IReadOnlyList<double> sorted, int percent) =>
        sorted.Count == 0 ? null : Math.Round(sorted[Math.Max(0, (int)Math.Ceiling(percent / 100.0 * sorted.Count) - 1)], 1);
}
