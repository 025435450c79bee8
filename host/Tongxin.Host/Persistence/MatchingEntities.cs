using Orleans;
using Tongxin.Modules.Contracts;

namespace Tongxin.Host.Persistence;

public enum VettingStatus
{
    None,
    Passed,
    Failed,
}

/// <summary>
/// A volunteer or a programme: whoever can take children on a service line, up to a capacity
/// (a volunteer's "how many children at once", a programme's seats). <see cref="Committed"/> counts
/// active pairings and changes only together with the pairing, guarded by <see cref="Version"/>:
/// a provider is never committed beyond capacity, even with several hosts.
/// </summary>
public sealed class Provider
{
    public required string Id { get; init; }
    public required ProviderKind Kind { get; init; }
    public required string DisplayName { get; set; }
    public Gender? Gender { get; set; }
    public required string RegionCode { get; set; }
    public required string RegionPath { get; set; }
    /// <summary>Where the provider serves: a volunteer's home region; the regions a programme covers. JSON array of region paths.</summary>
    public required string CoveredPathsJson { get; set; }
    /// <summary>JSON array of line keys.</summary>
    public required string LinesJson { get; set; }
    /// <summary>JSON object: line key → that line's offer (skills, subjects, qualifications...).</summary>
    public required string OfferJson { get; set; }
    /// <summary>JSON array of time slots.</summary>
    public required string AvailabilityJson { get; set; }
    public required int Capacity { get; set; }
    public int Committed { get; set; }
    public string? OrganisationId { get; init; }
    public string? UserId { get; set; }
    public DateOnly? StartsOn { get; set; }
    public DateOnly? EndsOn { get; set; }
    public int? AgeMin { get; set; }
    public int? AgeMax { get; set; }
    public string? FundingSource { get; set; }
    public VettingStatus VettingStatus { get; set; }
    public DateTime? VettingCheckedAt { get; set; }
    public DateTime? VettingExpiresAt { get; set; }
    public string? VettingReference { get; set; }
    public required string CreatedByUserId { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }
    public int Version { get; set; }
}

[GenerateSerializer]
public enum Urgency
{
    Normal,
    Urgent,
}

[GenerateSerializer]
public enum NeedStatus
{
    Open,
    Offered,
    Matched,
    Closed,
    Cancelled,
}

/// <summary>A child director's request for specific help on one service line.</summary>
public sealed class Need
{
    public required string Id { get; init; }
    public required string ChildId { get; init; }
    public required string Line { get; init; }
    public required string DetailsJson { get; init; }
    public required Urgency Urgency { get; init; }
    public required NeedStatus Status { get; set; }
    public required string RegionPath { get; set; }
    /// <summary>The county a batch of matching runs over.</summary>
    public required string CountyCode { get; set; }
    public string? PairingId { get; set; }
    public required string CreatedByUserId { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }
    public int Version { get; set; }
}

public enum OfferStatus
{
    Pending,
    Accepted,
    Declined,
    Expired,
    Withdrawn,
}

/// <summary>The matcher's proposal of one provider for one need, with the named reasons of its score.</summary>
public sealed class Offer
{
    public required string Id { get; init; }
    public required string NeedId { get; init; }
    public required string ProviderId { get; init; }
    public required string Line { get; init; }
    public required int Score { get; init; }
    /// <summary>JSON array of { code, zh, en, points }.</summary>
    public required string ReasonsJson { get; init; }
    public required OfferStatus Status { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime ExpiresAt { get; init; }
    public DateTime? RespondedAt { get; set; }
    public string? RespondedByUserId { get; set; }
    public string? DeclineReason { get; set; }
    public int Version { get; set; }
}

public enum PairingStatus
{
    Active,
    Ended,
    /// <summary>Guardian consent was withdrawn: the provider loses access at once; resumes only with new consent.</summary>
    Suspended,
}

/// <summary>A provider and a child working together on one need; ending it frees the provider's capacity.</summary>
public sealed class Pairing
{
    public required string Id { get; init; }
    public required string NeedId { get; init; }
    public required string ChildId { get; init; }
    public required string ProviderId { get; init; }
    /// <summary>Unique: one offer makes at most one pairing, so accepting twice is harmless.</summary>
    public required string OfferId { get; init; }
    public required string Line { get; init; }
    public required PairingStatus Status { get; set; }
    public DateTime StartedAt { get; init; }
    public DateTime? EndedAt { get; set; }
    public string? EndReason { get; set; }
    public string? EndedByUserId { get; set; }
}

/// <summary>One session of a pairing (a tutoring hour, a visit by a Caring Mother).</summary>
public sealed class PairingSession
{
    public required string Id { get; init; }
    public required string PairingId { get; init; }
    public required DateTime At { get; init; }
    public required int Minutes { get; init; }
    public required string Notes { get; init; }
    public required string RecordedByUserId { get; init; }
    /// <summary>When the host stored it; <see cref="At"/> is when the session took place.</summary>
    public DateTime RecordedAt { get; init; }
    /// <summary>The client's Idempotency-Key (unique per pairing) and a hash of what it came with: a retried upload is stored once.</summary>
    public string? IdempotencyKey { get; init; }
    public string? RequestHash { get; init; }
}
