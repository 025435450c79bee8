using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Children;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;
using Tongxin.Host.Regions;
using Tongxin.Host.Safeguarding;

namespace Tongxin.Host.Reports;

/// <summary>
/// What the county's reports are computed from, read once per report for the county of the scope. Files are read
/// with their history (moves, risk changes, closing) so a past quarter is reported as it was, not as it is now.
/// Only counts leave this class: no name, no file reaches a report.
/// </summary>
internal sealed class ReportData
{
    public required string Scope { get; init; }
    public required List<Region> Towns { get; init; }
    public required List<Region> Villages { get; init; }
    public required List<ChildFile> Children { get; init; }
    public required ILookup<string, ChildMove> Moves { get; init; }
    public required ILookup<string, RiskChange> RiskChanges { get; init; }
    public required List<Need> Needs { get; init; }
    public required Dictionary<string, Pairing> PairingsById { get; init; }
    public required List<Pairing> Pairings { get; init; }
    public required List<(string UserName, string RegionCode)> Directors { get; init; }

    public static async Task<ReportData> LoadAsync(TongxinDbContext db, string scope, CancellationToken cancellationToken)
    {
        var countyPrefix = $"/{RegionPaths.County(scope)}/";
        var regions = await db.Regions.AsNoTracking().Where(r => r.Path.StartsWith(scope) || scope.StartsWith(r.Path)).ToListAsync(cancellationToken);
        // Children of the whole county: one who moved out of the scope still counts as "moved out" of it.
        var children = await db.Children.AsNoTracking().Where(c => c.RegionPath.StartsWith(countyPrefix)).ToListAsync(cancellationToken);
        var moves = await db.ChildMoves.AsNoTracking().Where(m => db.Children.Any(c => c.Id == m.ChildId && c.RegionPath.StartsWith(countyPrefix))).ToListAsync(cancellationToken);
        var risks = await db.RiskChanges.AsNoTracking().Where(r => db.Children.Any(c => c.Id == r.ChildId && c.RegionPath.StartsWith(countyPrefix))).ToListAsync(cancellationToken);
        var needs = await db.Needs.AsNoTracking().Where(n => n.RegionPath.StartsWith(scope)).ToListAsync(cancellationToken);
        var pairings = await db.Pairings.AsNoTracking().Where(p => db.Needs.Any(n => n.Id == p.NeedId && n.RegionPath.StartsWith(scope))).ToListAsync(cancellationToken);
        var directors = await db.Users.AsNoTracking().Where(u => u.Role == Role.ChildDirector && u.Active && u.RegionPath.StartsWith(scope))
            .Select(u => new { u.UserName, u.RegionCode }).ToListAsync(cancellationToken);
        return new ReportData
        {
            Scope = scope,
            Towns = regions.Where(r => r.Kind == RegionKind.Town && (r.Path.StartsWith(scope, StringComparison.Ordinal) || scope.StartsWith(r.Path, StringComparison.Ordinal))).OrderBy(r => r.Code, StringComparer.Ordinal).ToList(),
            Villages = regions.Where(r => r.Kind == RegionKind.Village && r.Path.StartsWith(scope, StringComparison.Ordinal)).OrderBy(r => r.Code, StringComparer.Ordinal).ToList(),
            Children = children,
            Moves = moves.OrderBy(m => m.At).ToLookup(m => m.ChildId),
            RiskChanges = risks.OrderBy(r => r.At).ToLookup(r => r.ChildId),
            Needs = needs,
            PairingsById = pairings.ToDictionary(p => p.Id),
            Pairings = pairings,
            Directors = directors.Select(d => (d.UserName, d.RegionCode)).ToList(),
        };
    }

    /// <summary>Where the file was at a moment: where it is now, unless it moved since (then where the first later move took it from).</summary>
    public string PathAt(ChildFile child, DateTime at) =>
        Moves[child.Id].FirstOrDefault(m => m.At > at)?.FromPath ?? child.RegionPath;

    /// <summary>The risk level at a moment, read back through the risk history the same way.</summary>
    public RiskLevel RiskAt(ChildFile child, DateTime at) =>
        RiskChanges[child.Id].FirstOrDefault(r => r.At > at)?.From ?? child.RiskLevel;

    public static bool OpenAt(ChildFile child, DateTime at) => child.CreatedAt <= at && (child.ClosedAt is null || child.ClosedAt > at);

    /// <summary>The children whose open file was in <paramref name="path"/> (a town or village) at that moment.</summary>
    public IEnumerable<ChildFile> ChildrenIn(string path, DateTime at) =>
        Children.Where(c => OpenAt(c, at) && PathAt(c, at).StartsWith(path, StringComparison.Ordinal));

    /// <summary>
    /// The status a need had at a moment: matched once its pairing began, cancelled or closed once that happened,
    /// open (waiting or offered) otherwise.
    /// </summary>
    public NeedStatus StatusAt(Need need, DateTime at)
    {
        if (need.PairingId is not null && PairingsById.TryGetValue(need.PairingId, out var pairing) && pairing.StartedAt <= at)
        {
            return NeedStatus.Matched;
        }
        return need.Status is NeedStatus.Cancelled or NeedStatus.Closed && need.UpdatedAt <= at ? need.Status : NeedStatus.Open;
    }

    public static bool IsPriority(ChildFile child, RiskLevel risk) =>
        risk == RiskLevel.High || PriorityGroups.Of(child).Any(FollowupRhythm.PriorityGroupsForRhythm.Contains);
}
