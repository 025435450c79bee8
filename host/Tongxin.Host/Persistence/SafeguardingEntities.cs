namespace Tongxin.Host.Persistence;

/// <summary>A change of a file's risk level: always with a reason, kept for good (000 §3.1).</summary>
public sealed class RiskChange
{
    public required string Id { get; init; }
    public required string ChildId { get; init; }
    public required RiskLevel From { get; init; }
    public required RiskLevel To { get; init; }
    public required string Reason { get; init; }
    public string? ConcernId { get; init; }
    public required string ByUserId { get; init; }
    public required DateTime At { get; init; }
}

public enum ConcernKind
{
    AloneWithoutGuardian,
    Missing,
    GuardianUnable,
    SuspectedViolence,
    SuspectedInjury,
    Other,
}

/// <summary>The chain of a mandatory report (强制报告): discover → report to police → assessment → referral → intervention → assistance.</summary>
public enum ConcernStage
{
    Discovered,
    ReportedToPolice,
    Assessed,
    Referred,
    Intervened,
    Assisted,
}

/// <summary>
/// A concern about a child raised by anyone in contact with them. It reaches the town supervisor and civil
/// affairs at once, walks the chain with who and when at each step, and is never deleted.
/// </summary>
public sealed class Concern
{
    public required string Id { get; init; }
    public required string ChildId { get; init; }
    public required string RegionPath { get; init; }
    public required ConcernKind Kind { get; init; }
    /// <summary>Encrypted at rest.</summary>
    public required string Details { get; init; }
    public required ConcernStage Stage { get; set; }
    public required string RaisedByUserId { get; init; }
    public required string RaisedByRole { get; init; }
    public required DateTime RaisedAt { get; init; }
    public DateTime? ReportedToPoliceAt { get; set; }
    public string? PoliceReference { get; set; }
    public DateTime? EscalatedAt { get; set; }
    public int Version { get; set; }
}

/// <summary>One step of a concern's chain, or an escalation: who, when, and what.</summary>
public sealed class ConcernStep
{
    public required string Id { get; init; }
    public required string ConcernId { get; init; }
    /// <summary>A stage name, or <c>escalated</c>.</summary>
    public required string Step { get; init; }
    public required DateTime At { get; init; }
    public string? ByUserId { get; init; }
    public string? Reference { get; init; }
    /// <summary>Encrypted at rest.</summary>
    public required string Notes { get; init; }
    public DateTime RecordedAt { get; init; }
}
