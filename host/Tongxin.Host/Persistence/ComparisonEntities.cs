namespace Tongxin.Host.Persistence;

/// <summary>Whose roster a quarterly comparison read (003 §10): the education bureau's pupils or the police's household register.</summary>
public enum ComparisonSource
{
    Education,
    Police,
}

/// <summary>What one item of a comparison says (docs/comparisons.md).</summary>
public enum ComparisonItemKind
{
    /// <summary>A child of the roster with no open file: possibly a missing file.</summary>
    MissingFile,
    /// <summary>An open file with no row in the roster: moved, left school, or the roster is short.</summary>
    NoRosterRow,
    /// <summary>A roster row and a file that are the same child but disagree on a field.</summary>
    Differs,
}

/// <summary>How the child director or the town's supervisor settled an item.</summary>
public enum ComparisonResolution
{
    /// <summary>A file was opened for the child (linked by <see cref="RosterComparisonItem.ResolvedChildId"/>).</summary>
    FileCreated,
    /// <summary>The file was moved or closed (the child moved, left school, turned 16), or corrected.</summary>
    FileMovedOrClosed,
    /// <summary>The roster is wrong; the file stands.</summary>
    RosterWrong,
}

/// <summary>
/// One quarter's comparison of the county's files with one department's roster (ADR 0025). One per county, source and
/// quarter: a second upload replaces the first while none of its items is resolved. Done (<see cref="CompletedAt"/>)
/// when every item is resolved; the ledger reports it. The roster itself is not kept: only the items it gave.
/// </summary>
public sealed class RosterComparison
{
    public required string Id { get; init; }
    public required string CountyCode { get; init; }
    /// <summary>The county's region path: items and reads are scoped below it.</summary>
    public required string RegionPath { get; init; }
    public required ComparisonSource Source { get; init; }
    /// <summary><c>2026Q4</c>.</summary>
    public required string Quarter { get; init; }
    public required string UploadedByUserId { get; set; }
    public required DateTime UploadedAt { get; set; }
    /// <summary>Rows the roster held.</summary>
    public int Rows { get; set; }
    /// <summary>Files compared (open at the quarter's end, or now; for education only those of school age).</summary>
    public int FilesCompared { get; set; }
    public int OpenItems { get; set; }
    public DateTime? CompletedAt { get; set; }
    /// <summary>Serialises the resolutions of one comparison, so the last one sets <see cref="CompletedAt"/> exactly once.</summary>
    public int Version { get; set; }
}

/// <summary>
/// One item of a comparison, in one village (the file's village, or for a missing file the roster's). What the roster
/// said is kept as far as the village needs it to find the child (name, birth date, school and grade); never the
/// national ID number, nor its hash.
/// </summary>
public sealed class RosterComparisonItem
{
    public required string Id { get; init; }
    public required string ComparisonId { get; init; }
    public required ComparisonItemKind Kind { get; init; }
    public required string VillageCode { get; init; }
    /// <summary>The village's region path: a director sees their village's items, a supervisor their town's.</summary>
    public required string RegionPath { get; init; }
    /// <summary>The roster's row (as Excel numbers it), for a missing file or a difference.</summary>
    public int? Row { get; init; }
    public string? RosterName { get; init; }
    public DateOnly? RosterBirthDate { get; init; }
    public string? RosterVillageCode { get; init; }
    public string? RosterSchool { get; init; }
    public string? RosterGrade { get; init; }
    /// <summary>The file, for a file without a roster row or a difference.</summary>
    public string? ChildId { get; init; }
    /// <summary>JSON array of the fields that differ: <c>[{"field":"birthDate","roster":"…","file":"…"}]</c>.</summary>
    public string? DifferencesJson { get; init; }
    public ComparisonResolution? Resolution { get; set; }
    /// <summary>Sealed at rest (AES-256-GCM under the field key), as contact notes are.</summary>
    public string? ResolutionNote { get; set; }
    public string? ResolvedChildId { get; set; }
    public string? ResolvedByUserId { get; set; }
    public DateTime? ResolvedAt { get; set; }
}
