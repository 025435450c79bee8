using Orleans;

namespace Tongxin.Host.Persistence;

[GenerateSerializer]
public enum UnitKind
{
    Session,
    Hour,
    Visit,
}

public enum FundingSource
{
    Budget,
    WelfareLottery,
    /// <summary>
    /// The request did not say (<c>not-stated</c>): API.md's contract body has no funding source, and clients written
    /// against it must keep working. Last, so the values before it keep their numbers.
    /// </summary>
    NotStated,
}

/// <summary>
/// A service civil affairs buys from a social-work organisation (政府购买服务): so many units of a kind
/// at a unit price, for a period, in some regions. <see cref="DeliveredUnits"/> moves only together
/// with a delivery row, guarded by <see cref="Version"/>: deliveries never exceed the contract.
/// Money is kept in fen (分) as whole numbers.
/// </summary>
public sealed class PurchasedServiceContract
{
    public required string Id { get; init; }
    public required string OrganisationId { get; init; }
    public required string Line { get; init; }
    public required string Title { get; init; }
    /// <summary>JSON array of the covered regions' paths.</summary>
    public required string CoveredPathsJson { get; init; }
    public required string RegionPath { get; init; }
    public required int Units { get; init; }
    public required UnitKind UnitKind { get; init; }
    public required long UnitPriceFen { get; init; }
    public required DateOnly StartsOn { get; init; }
    public required DateOnly EndsOn { get; init; }
    public required FundingSource FundingSource { get; init; }
    public int DeliveredUnits { get; set; }
    public required string CreatedByUserId { get; init; }
    public DateTime CreatedAt { get; init; }
    public int Version { get; set; }
}

public enum DeliveryStatus
{
    /// <summary>Counts toward the contract.</summary>
    Recorded,
    /// <summary>Replaced by a correction (which points back here); no longer counts.</summary>
    Corrected,
    /// <summary>Withdrawn with a reason; no longer counts.</summary>
    Withdrawn,
}

/// <summary>One delivery of a purchased service to one child, as the organisation reported it.</summary>
public sealed class ServiceDelivery
{
    public required string Id { get; init; }
    public required string ContractId { get; init; }
    public required string ChildId { get; init; }
    public required string RegionPath { get; init; }
    public required DateTime At { get; init; }
    public required int Units { get; init; }
    public required UnitKind Kind { get; init; }
    public required string Notes { get; init; }
    public required DeliveryStatus Status { get; set; }
    /// <summary>The delivery this one corrects, if it is a correction.</summary>
    public string? CorrectsId { get; init; }
    public string? StatusReason { get; set; }
    /// <summary>The client's Idempotency-Key (unique per contract) and a hash of the body it came with.</summary>
    public string? IdempotencyKey { get; init; }
    public string? RequestHash { get; init; }
    public required string ReportedByUserId { get; init; }
    public DateTime ReportedAt { get; init; }
}
