using System.Text.Json;

namespace Tongxin.Modules.Contracts;

public enum ProviderKind
{
    Volunteer,
    Programme,
}

/// <summary>How close a provider is to a child in the region tree (county → town → village).</summary>
public enum Proximity
{
    SameVillage = 0,
    SameTown = 1,
    SameCounty = 2,
    OutsideCounty = 3,
}

/// <summary>Known time slots for availability and schedules; kept coarse so a village phone form stays short.</summary>
public static class TimeSlots
{
    public const string WeekdayAfternoon = "weekday-afternoon";
    public const string WeekdayEvening = "weekday-evening";
    public const string WeekendMorning = "weekend-morning";
    public const string WeekendAfternoon = "weekend-afternoon";
    public const string WeekendEvening = "weekend-evening";
    public const string Holiday = "holiday";

    public static readonly IReadOnlyList<string> All =
        [WeekdayAfternoon, WeekdayEvening, WeekendMorning, WeekendAfternoon, WeekendEvening, Holiday];
}

/// <summary>What the matcher knows about a need when it asks a module about it. No names: modules never see them.</summary>
public sealed record NeedFacts(
    string NeedId,
    string ChildId,
    string Line,
    JsonElement Details,
    bool Urgent,
    int ChildAgeYears,
    string ChildGender,
    string VillageCode,
    string TownCode,
    string CountyCode,
    string RiskLevel,
    IReadOnlyCollection<string> PriorityGroups,
    DateTime RequestedAtUtc,
    IReadOnlyCollection<string> PreviousProviderIds);

/// <summary>What the matcher knows about a provider (a volunteer or a programme) for one line.</summary>
public sealed record ProviderFacts(
    string ProviderId,
    ProviderKind Kind,
    string? Gender,
    IReadOnlyCollection<string> RegionCodes,
    JsonElement Offer,
    int Capacity,
    int Committed,
    IReadOnlyCollection<string> Availability,
    DateOnly? StartsOn = null,
    DateOnly? EndsOn = null,
    int? AgeMin = null,
    int? AgeMax = null)
{
    public int FreeCapacity => Math.Max(0, Capacity - Committed);
}

/// <summary>A need and a provider being considered together, with their distance in the region tree.</summary>
public sealed record MatchCandidate(NeedFacts Need, ProviderFacts Provider, Proximity Proximity, DateOnly Today);

/// <summary>The answer of a hard rule: yes, or no with a reason a person can read.</summary>
public sealed record Eligibility(bool IsEligible, string? ReasonCode, LocalizedText? Reason)
{
    public static readonly Eligibility Yes = new(true, null, null);

    public static Eligibility No(string reasonCode, LocalizedText reason) => new(false, reasonCode, reason);
}

/// <summary>A named part of a match score, shown to people as a reason. Points are integers so the optimisation is exact.</summary>
public sealed record ScorePart(string Code, LocalizedText Label, int Points);

/// <summary>
/// What a line is told when it decides how long a need may wait unplaced: the need, and the start dates of
/// the line's programmes that could take it (hard rules passed, capacity not considered), earliest first.
/// </summary>
public sealed record WaitContext(NeedFacts Need, IReadOnlyList<DateOnly> EligibleProgrammeStarts);
