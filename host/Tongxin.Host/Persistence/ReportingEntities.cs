namespace Tongxin.Host.Persistence;

/// <summary>Who an unplaced need has reached: its village first, then the town supervisor, then civil affairs.</summary>
public enum EscalationLevel
{
    Village = 0,
    Town = 1,
    County = 2,
}

/// <summary>
/// One step of an overdue need's climb (to the town, then to the county), with the reason the matcher could
/// not place it at that moment. Unique per need and level: two hosts sweeping at once record a step once.
/// A need's current level is its highest step; a step is never deleted, even after the need is placed.
/// </summary>
public sealed class NeedEscalation
{
    public required string Id { get; init; }
    public required string NeedId { get; init; }
    public required string Line { get; init; }
    public required string RegionPath { get; init; }
    public required EscalationLevel Level { get; init; }
    /// <summary>When the need was due at this level (the line's wait, then the town's time to act).</summary>
    public required DateTime DueAt { get; init; }
    public required DateTime At { get; init; }
    /// <summary>The main reason, a code of <see cref="Escalation.UnplacedReasons"/>.</summary>
    public required string ReasonCode { get; init; }
    /// <summary>JSON: the funnel counts behind the reason and the line's most frequent rule, if that was it.</summary>
    public required string DiagnosisJson { get; init; }
}

/// <summary>A child's file moved to another village (the ledger's "moved"): kept for reports on past quarters.</summary>
public sealed class ChildMove
{
    public required string Id { get; init; }
    public required string ChildId { get; init; }
    public required string FromPath { get; init; }
    public required string ToPath { get; init; }
    public required DateTime At { get; init; }
    public required string ByUserId { get; init; }
    public string? Reason { get; init; }
}

/// <summary>
/// A reminder to a town that a report is due (the quarterly ledger by the 20th of the quarter's last month,
/// the annual progress report by 1 November). Unique per kind, period and town: made once, by any host.
/// </summary>
public sealed class ReportReminder
{
    public required string Id { get; init; }
    /// <summary><c>ledger</c> or <c>annual</c>.</summary>
    public required string Kind { get; init; }
    /// <summary><c>2026Q4</c> for a ledger, <c>2026</c> for an annual report.</summary>
    public required string Period { get; init; }
    public required string TownCode { get; init; }
    public required string RegionPath { get; init; }
    public required DateOnly DueOn { get; init; }
    public required DateTime CreatedAt { get; init; }
}
