using Orleans;
using Tongxin.Host.Identity;

namespace Tongxin.Host.Persistence;

public enum RegionKind
{
    County,
    Town,
    Village,
}

/// <summary>
/// A node of the region tree (county → town → village). <see cref="Path"/> is the chain of codes
/// from the county down (<c>/500235/500235101/</c>) so a subtree is one prefix comparison.
/// </summary>
public sealed class Region
{
    public required string Code { get; init; }
    public required string Name { get; set; }
    public required RegionKind Kind { get; init; }
    public string? ParentCode { get; init; }
    public required string Path { get; init; }
    public DateTime CreatedAt { get; init; }
}

public enum OrganisationKind
{
    CivilAffairs,
    WomensFederation,
    YouthLeague,
    SocialWorkOrg,
    School,
}

public sealed class Organisation
{
    public required string Id { get; init; }
    public required string Name { get; set; }
    public required OrganisationKind Kind { get; init; }
    public required string RegionCode { get; init; }
    public required string RegionPath { get; init; }
    public DateTime CreatedAt { get; init; }
}

public sealed class UserAccount
{
    public required string Id { get; init; }
    public required string UserName { get; init; }
    public required string PasswordHash { get; set; }
    public required Role Role { get; set; }
    public required string RegionCode { get; set; }
    public required string RegionPath { get; set; }
    public string? OrganisationId { get; init; }
    /// <summary>The person's name, as the county's staff list has it (imported accounts; optional otherwise).</summary>
    public string? DisplayName { get; set; }
    /// <summary>The person's mobile number (imported accounts sign in with it as their user name).</summary>
    public string? Phone { get; set; }
    /// <summary>Where notifications go by mail (set by the user on the notification settings page).</summary>
    public string? Email { get; set; }
    /// <summary>
    /// The SMS gateway's answer when it refused <see cref="Phone"/> as a number (issue 17): shown to the administrator,
    /// and no more SMS are tried until the number is changed.
    /// </summary>
    public string? PhoneFailure { get; set; }
    public DateTime? PhoneFailedAt { get; set; }
    /// <summary>The mail server's answer when it refused <see cref="Email"/>; as <see cref="PhoneFailure"/>.</summary>
    public string? EmailFailure { get; set; }
    public DateTime? EmailFailedAt { get; set; }
    public bool Active { get; set; } = true;
    public DateTime CreatedAt { get; init; }
    /// <summary>
    /// Changes whenever what a token of this user says stops being true (deactivated, password changed or reset, role or
    /// region changed): every token carries the stamp it was issued with, and one with another stamp answers 401 on
    /// every host (<see cref="Identity.UserStamps"/>).
    /// </summary>
    public string SecurityStamp { get; set; } = "";
    /// <summary>Set by a reset (or an imported account's first password): until changed, the user may only change it.</summary>
    public bool MustChangePassword { get; set; }
    public DateTime? DeactivatedAt { get; set; }
    public DateTime? UpdatedAt { get; set; }
}

[GenerateSerializer]
public enum Gender
{
    Female,
    Male,
}

[GenerateSerializer]
public enum ChildCategory
{
    LeftBehind,
    InDifficulty,
}

[GenerateSerializer]
public enum RiskLevel
{
    Low,
    Medium,
    High,
}

/// <summary>
/// The child's file (一人一档). Changed only with the version the writer read (<see cref="Version"/>
/// is the concurrency token): a stale write fails instead of silently overwriting.
/// </summary>
public sealed class ChildFile
{
    public required string Id { get; init; }
    public required string GivenName { get; set; }
    public required string FamilyName { get; set; }
    public required Gender Gender { get; set; }
    public required DateOnly BirthDate { get; set; }
    public required string VillageCode { get; set; }
    public required string RegionPath { get; set; }
    public required ChildCategory Category { get; set; }
    public required string GuardianSituation { get; set; }
    public required RiskLevel RiskLevel { get; set; }
    /// <summary>JSON array of priority groups beyond those read from the file (e.g. <c>disabled</c>); DOMAIN.md.</summary>
    public string PriorityGroupsJson { get; set; } = "[]";
    public string? ConsentBy { get; set; }
    public string? ConsentRelation { get; set; }
    public DateTime? ConsentRecordedAt { get; set; }
    /// <summary>What the guardian consented to (JSON array): matching, services, data-sharing.</summary>
    public string ConsentPurposesJson { get; set; } = "[]";
    public DateTime? ConsentWithdrawnAt { get; set; }
    public string? ConsentWithdrawnReason { get; set; }
    /// <summary>When the file was closed (the child turned 16, the parents came home, moved out of the county...); kept, never deleted.</summary>
    public DateTime? ClosedAt { get; set; }
    public string? ClosedReason { get; set; }
    /// <summary>The national ID number's keyed hash (<see cref="Security.NationalIds"/>), set by a roster import; never the number itself.</summary>
    public string? NationalIdHash { get; set; }
    public required string CreatedByUserId { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }
    public int Version { get; set; }
}

[GenerateSerializer]
public enum ContactKind
{
    Call,
    HomeVisit,
}

/// <summary>A call or home visit by the child director: the contact rhythm (weekly call, monthly visit).</summary>
public sealed class ContactRecord
{
    public required string Id { get; init; }
    public required string ChildId { get; init; }
    public required ContactKind Kind { get; init; }
    public required DateTime At { get; init; }
    public required string Notes { get; init; }
    public required string RecordedByUserId { get; init; }
    /// <summary>When the host stored it; <see cref="At"/> is when it happened (a visit recorded offline arrives later).</summary>
    public DateTime RecordedAt { get; init; }
    /// <summary>The client's Idempotency-Key (unique per child) and a hash of what it came with: a retried upload is stored once.</summary>
    public string? IdempotencyKey { get; init; }
    public string? RequestHash { get; init; }
}
