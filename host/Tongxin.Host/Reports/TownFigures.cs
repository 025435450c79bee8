using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Children;
using Tongxin.Host.Modules;
using Tongxin.Host.Persistence;
using Tongxin.Host.Regions;
using Tongxin.Host.Safeguarding;

namespace Tongxin.Host.Reports;

/// <summary>Children with an open file at the end of the period, by category, risk and priority group.</summary>
public sealed record ChildrenFigures(int Total, int LeftBehind, int InDifficulty, int RiskLow, int RiskMedium, int RiskHigh, IReadOnlyDictionary<string, int> PriorityGroups);

/// <summary>What changed in the period: files opened and closed, moves into and out of the town, risk raised or lowered.</summary>
public sealed record ChangeFigures(int New, int Closed, int MovedIn, int MovedOut, int RiskRaised, int RiskLowered);

/// <summary>One line's needs: asked for in the period by their status at its end, and all still open at its end.</summary>
public sealed record LineNeeds(string Line, string LineName, int Requested, int Open, int Matched, int Cancelled, int Closed, int OpenAtEnd, int PairingsStarted, int PairingsActiveAtEnd);

/// <summary>
/// A child director's contact rhythm over the period: of the children of their village, how many were called on
/// as often as the rhythm asks (weekly contact, monthly home visit; priority children twice as often).
/// </summary>
public sealed record DirectorRhythm(string UserName, string VillageCode, string VillageName, int Children, int RhythmKept, int Contacts, int HomeVisits);

/// <summary>The figures of one town (or the whole county) for one period.</summary>
public sealed record TownReport(string TownCode, string TownName, ChildrenFigures Children, ChangeFigures Changes, IReadOnlyList<LineNeeds> Needs, IReadOnlyList<DirectorRhythm> Rhythm);

/// <summary>Computes <see cref="TownReport"/>s from <see cref="ReportData"/>; the rules are those of DOMAIN.md, each said where it is applied.</summary>
internal sealed class TownFigures(ReportData data, ModuleCatalog modules, FollowupOptions rhythm, List<ContactRecord> contacts)
{
    private readonly ILookup<string, ContactRecord> _contacts = contacts.ToLookup(c => c.ChildId);

    public static async Task<List<ContactRecord>> LoadContactsAsync(TongxinDbContext db, string scope, ReportPeriod period, CancellationToken cancellationToken)
    {
        // Notes are not read: a report counts contacts, it never shows what was said.
        var countyPrefix = $"/{RegionPaths.County(scope)}/";
        return await db.ChildContacts.AsNoTracking()
            .Where(c => c.At >= period.Start && c.At <= period.AsOf && db.Children.Any(f => f.Id == c.ChildId && f.RegionPath.StartsWith(countyPrefix)))
            .Select(c => new ContactRecord { Id = c.Id, ChildId = c.ChildId, Kind = c.Kind, At = c.At, Notes = "", RecordedByUserId = c.RecordedByUserId, RecordedAt = c.RecordedAt })
            .ToListAsync(cancellationToken);
    }

    public TownReport For(string code, string name, string path, ReportPeriod period)
    {
        var end = period.AsOf;
        var atEnd = data.ChildrenIn(path, end).ToList();
        var children = new ChildrenFigures(
            atEnd.Count,
            atEnd.Count(c => c.Category == ChildCategory.LeftBehind),
            atEnd.Count(c => c.Category == ChildCategory.InDifficulty),
            atEnd.Count(c => data.RiskAt(c, end) == RiskLevel.Low),
            atEnd.Count(c => data.RiskAt(c, end) == RiskLevel.Medium),
            atEnd.Count(c => data.RiskAt(c, end) == RiskLevel.High),
            atEnd.SelectMany(PriorityGroups.Of).GroupBy(g => g).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()));

        bool In(string p) => p.StartsWith(path, StringComparison.Ordinal);
        bool During(DateTime at) => at >= period.Start && at <= end;
        var moves = data.Moves.SelectMany(g => g).Where(m => During(m.At)).ToList();
        var atStart = data.Children.Where(c => ReportData.OpenAt(c, period.Start) && In(data.PathAt(c, period.Start))).Select(c => c.Id).ToHashSet();
        var changes = new ChangeFigures(
            data.Children.Count(c => During(c.CreatedAt) && ReportData.OpenAt(c, c.CreatedAt) && In(data.PathAt(c, c.CreatedAt))),
            data.Children.Count(c => c.ClosedAt is { } closed && During(closed) && In(data.PathAt(c, closed))),
            moves.Count(m => In(m.ToPath) && !In(m.FromPath)),
            moves.Count(m => In(m.FromPath) && !In(m.ToPath)),
            // Risk compared between the start of the period (or when the file opened) and its end.
            atEnd.Count(c => data.RiskAt(c, end) > data.RiskAt(c, atStart.Contains(c.Id) ? period.Start : c.CreatedAt)),
            atEnd.Count(c => data.RiskAt(c, end) < data.RiskAt(c, atStart.Contains(c.Id) ? period.Start : c.CreatedAt)));

        var needs = data.Needs.Where(n => In(n.RegionPath)).ToList();
        var lines = modules.All.Select(m => m.Module).Select(m => (m.Info.Key, Name: m.Info.Name.ForCurrentCulture()))
            .Concat(needs.Select(n => n.Line).Distinct().Where(l => modules.Find(l) is null).Select(l => (Key: l, Name: l)))
            .ToList();
        var lineNeeds = lines.Select(line =>
        {
            var mine = needs.Where(n => n.Line == line.Key).ToList();
            var requested = mine.Where(n => During(n.CreatedAt)).Select(n => data.StatusAt(n, end)).ToList();
            var pairings = data.Pairings.Where(p => p.Line == line.Key && mine.Any(n => n.Id == p.NeedId)).ToList();
            return new LineNeeds(line.Key, line.Name, requested.Count,
                requested.Count(s => s == NeedStatus.Open), requested.Count(s => s == NeedStatus.Matched),
                requested.Count(s => s == NeedStatus.Cancelled), requested.Count(s => s == NeedStatus.Closed),
                mine.Count(n => n.CreatedAt <= end && data.StatusAt(n, end) == NeedStatus.Open),
                pairings.Count(p => During(p.StartedAt)),
                pairings.Count(p => p.StartedAt <= end && (p.EndedAt is null || p.EndedAt > end)));
        }).ToList();

        var villages = data.Villages.Where(v => In(v.Path)).ToList();
        var rhythmRows = data.Directors
            .Select(d => (d.UserName, Village: villages.FirstOrDefault(v => v.Code == d.RegionCode)))
            .Where(d => d.Village is not null)
            .OrderBy(d => d.Village!.Code, StringComparer.Ordinal).ThenBy(d => d.UserName, StringComparer.Ordinal)
            .Select(d =>
            {
                var theirs = data.ChildrenIn(d.Village!.Path, end).ToList();
                var kept = theirs.Count(c => RhythmKept(c, period));
                var logged = theirs.SelectMany(c => _contacts[c.Id].Where(k => k.At >= Window(c, period) && k.At <= end)).ToList();
                return new DirectorRhythm(d.UserName, d.Village.Code, d.Village.Name, theirs.Count, kept, logged.Count, logged.Count(k => k.Kind == ContactKind.HomeVisit));
            })
            .ToList();
        return new TownReport(code, name, children, changes, lineNeeds, rhythmRows);
    }

    private static DateTime Window(ChildFile child, ReportPeriod period) => child.CreatedAt > period.Start ? child.CreatedAt : period.Start;

    /// <summary>
    /// Kept the rhythm (003 §8): over the part of the period the file was open, at least one contact (a call or a
    /// visit) per <see cref="FollowupOptions.ContactEvery"/> and one home visit per <see cref="FollowupOptions.VisitEvery"/>,
    /// <see cref="FollowupOptions.PriorityRate"/> times as many for a priority child. Counted in whole intervals.
    /// </summary>
    public bool RhythmKept(ChildFile child, ReportPeriod period)
    {
        var from = Window(child, period);
        var days = (period.AsOf - from).TotalDays;
        var rate = ReportData.IsPriority(child, data.RiskAt(child, period.AsOf)) ? rhythm.PriorityRate : 1;
        var expectedContacts = (int)Math.Floor(days * rate / rhythm.ContactEvery.TotalDays);
        var expectedVisits = (int)Math.Floor(days * rate / rhythm.VisitEvery.TotalDays);
        var mine = _contacts[child.Id].Where(k => k.At >= from && k.At <= period.AsOf).ToList();
        return mine.Count >= expectedContacts && mine.Count(k => k.Kind == ContactKind.HomeVisit) >= expectedVisits;
    }
}
