using System.Text.Json;
using Tongxin.Host.Persistence;

namespace Tongxin.Host.Comparisons;

/// <summary>The names the routes use for sources, kinds and resolutions (kebab case), and reading them back.</summary>
internal static class ComparisonNames
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Of(ComparisonSource source) => source == ComparisonSource.Education ? "education" : "police";

    public static string Of(ComparisonItemKind kind) => kind switch
    {
        ComparisonItemKind.MissingFile => "missing-file",
        ComparisonItemKind.NoRosterRow => "no-roster-row",
        _ => "differs",
    };

    public static string Of(ComparisonResolution resolution) => resolution switch
    {
        ComparisonResolution.FileCreated => "file-created",
        ComparisonResolution.FileMovedOrClosed => "file-moved-or-closed",
        _ => "roster-wrong",
    };

    public static bool TryReadSource(string? text, out ComparisonSource source)
    {
        (var ok, source) = text switch
        {
            "education" => (true, ComparisonSource.Education),
            "police" => (true, ComparisonSource.Police),
            _ => (false, default),
        };
        return ok;
    }

    public static bool TryReadKind(string? text, out ComparisonItemKind kind)
    {
        (var ok, kind) = text switch
        {
            "missing-file" => (true, ComparisonItemKind.MissingFile),
            "no-roster-row" => (true, ComparisonItemKind.NoRosterRow),
            "differs" => (true, ComparisonItemKind.Differs),
            _ => (false, default),
        };
        return ok;
    }

    public static bool TryReadResolution(string? text, out ComparisonResolution resolution)
    {
        (var ok, resolution) = text switch
        {
            "file-created" => (true, ComparisonResolution.FileCreated),
            "file-moved-or-closed" => (true, ComparisonResolution.FileMovedOrClosed),
            "roster-wrong" => (true, ComparisonResolution.RosterWrong),
            _ => (false, default),
        };
        return ok;
    }
}

/// <summary>How many items of each kind, and how many are still open.</summary>
public sealed record ComparisonCounts(int Total, int Open, int MissingFile, int NoRosterRow, int Differs)
{
    public static ComparisonCounts Of(IReadOnlyCollection<(ComparisonItemKind Kind, bool Open)> items) => new(
        items.Count, items.Count(i => i.Open), items.Count(i => i.Kind == ComparisonItemKind.MissingFile),
        items.Count(i => i.Kind == ComparisonItemKind.NoRosterRow), items.Count(i => i.Kind == ComparisonItemKind.Differs));
}

/// <summary>
/// A quarter's comparison with one department's roster. <see cref="Done"/>: every item of the county is resolved (or
/// there were none). <see cref="Counts"/> are of the caller's region: a director's are their village's.
/// </summary>
public sealed record ComparisonSummary(
    string Id, string Source, string Quarter, DateTime UploadedAt, int Rows, int FilesCompared, bool Done, DateTime? CompletedAt, ComparisonCounts Counts)
    : IAuditSubject
{
    string IAuditSubject.AuditSubjectId => Id;

    public static ComparisonSummary From(RosterComparison comparison, IReadOnlyCollection<(ComparisonItemKind Kind, bool Open)> items) => new(
        comparison.Id, ComparisonNames.Of(comparison.Source), comparison.Quarter, comparison.UploadedAt, comparison.Rows, comparison.FilesCompared,
        comparison.CompletedAt is not null, comparison.CompletedAt, ComparisonCounts.Of(items));

    public static ComparisonSummary From(RosterComparison comparison, IReadOnlyCollection<ComparisonItemKind> newItems) =>
        From(comparison, newItems.Select(k => (k, true)).ToList());
}

/// <summary>One village's items: the comparison's progress there.</summary>
public sealed record VillageProgress(string VillageCode, string VillageName, string TownCode, string? TownName, ComparisonCounts Counts);

/// <summary>What the roster said of the child (never an ID number).</summary>
public sealed record RosterSide(int? Row, string? Name, DateOnly? BirthDate, string? VillageCode, string? VillageName, string? School, string? Grade);

/// <summary>The file the item is about, as far as the caller may see it (a file moved out of the caller's region shows its id only).</summary>
public sealed record FileSide(string Id, string? Name, DateOnly? BirthDate, string? VillageCode, string? VillageName, bool? Closed);

public sealed record ComparisonItemView(
    string Id, string Kind, string VillageCode, string VillageName, string State, RosterSide? Roster, FileSide? File,
    IReadOnlyList<FieldDifference> Differences, string? Resolution, string? Note, string? ResolvedChildId, string? ResolvedBy, DateTime? ResolvedAt);

/// <summary><c>GET /api/comparisons/{id}</c>: the comparison, its progress per village and its items, all of the caller's region.</summary>
public sealed record ComparisonDetail(ComparisonSummary Comparison, IReadOnlyList<VillageProgress> Villages, IReadOnlyList<ComparisonItemView> Items);

/// <summary>The answer to a resolution: the item as it now is, and whether the comparison is now done.</summary>
public sealed record ComparisonItemResolved(ComparisonItemView Item, bool ComparisonDone, DateTime? CompletedAt);
