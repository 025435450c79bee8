using System.Text.Json;
using System.Text.Json.Nodes;
using Tongxin.Modules.Contracts;

namespace Tongxin.UnitTests.Modules;

/// <summary>Builders for the facts the matcher hands a module, with plain defaults a test overrides with <c>with</c>.</summary>
internal static class Facts
{
    public static readonly DateOnly Today = new(2025, 7, 1);

    public static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    /// <summary>
    /// <paramref name="json"/> with <paramref name="field"/> set to the JSON value <paramref name="value"/>,
    /// or removed when <paramref name="value"/> is null.
    /// </summary>
    public static JsonElement With(string json, string field, string? value) => Json(Set(json, (field, value)));

    /// <summary><paramref name="json"/> with each field set to its JSON value, or removed when the value is null.</summary>
    public static string Set(string json, params (string Field, string? Value)[] changes)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        foreach (var (field, value) in changes)
        {
            node.Remove(field);
            if (value is not null)
            {
                node[field] = JsonNode.Parse(value);
            }
        }
        return node.ToJsonString();
    }

    public static NeedFacts Need(string line, string details, bool urgent = false, int ageYears = 10,
        IReadOnlyCollection<string>? previousProviderIds = null) =>
        new(
            NeedId: "need-1",
            ChildId: "child-1",
            Line: line,
            Details: Json(details),
            Urgent: urgent,
            ChildAgeYears: ageYears,
            ChildGender: "female",
            VillageCode: "500235101001",
            TownCode: "500235101",
            CountyCode: "500235",
            RiskLevel: "medium",
            PriorityGroups: [],
            RequestedAtUtc: new DateTime(2025, 6, 1, 0, 0, 0, DateTimeKind.Utc),
            PreviousProviderIds: previousProviderIds ?? []);

    public static ProviderFacts Volunteer(string offer, string? gender = "female", IReadOnlyCollection<string>? availability = null,
        string id = "volunteer-1") =>
        new(
            ProviderId: id,
            Kind: ProviderKind.Volunteer,
            Gender: gender,
            RegionCodes: ["500235101"],
            Offer: Json(offer),
            Capacity: 2,
            Committed: 0,
            Availability: availability ?? TimeSlots.All);

    public static ProviderFacts Programme(string offer, IReadOnlyCollection<string>? availability = null,
        DateOnly? startsOn = null, DateOnly? endsOn = null, int? ageMin = null, int? ageMax = null, string id = "programme-1") =>
        new(
            ProviderId: id,
            Kind: ProviderKind.Programme,
            Gender: null,
            RegionCodes: ["500235"],
            Offer: Json(offer),
            Capacity: 30,
            Committed: 0,
            Availability: availability ?? [],
            StartsOn: startsOn,
            EndsOn: endsOn,
            AgeMin: ageMin,
            AgeMax: ageMax);

    public static MatchCandidate Candidate(NeedFacts need, ProviderFacts provider, Proximity proximity = Proximity.SameVillage) =>
        new(need, provider, proximity, Today);

    /// <summary>Asserts a "no" with the given reason code and a reason in both languages.</summary>
    public static void AssertNotEligible(Eligibility eligibility, string reasonCode)
    {
        Assert.False(eligibility.IsEligible);
        Assert.Equal(reasonCode, eligibility.ReasonCode);
        Assert.NotNull(eligibility.Reason);
        Assert.False(string.IsNullOrWhiteSpace(eligibility.Reason.Zh));
        Assert.False(string.IsNullOrWhiteSpace(eligibility.Reason.En));
        Assert.DoesNotContain("{", eligibility.Reason.Zh + eligibility.Reason.En);
    }

    /// <summary>Asserts each part is named for <paramref name="moduleKey"/>, labelled in both languages, in the 0–100 range.</summary>
    public static void AssertWellFormed(IEnumerable<ScorePart> parts, string moduleKey)
    {
        foreach (var part in parts)
        {
            Assert.StartsWith(moduleKey + ".", part.Code, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(part.Label.Zh));
            Assert.False(string.IsNullOrWhiteSpace(part.Label.En));
            Assert.DoesNotContain("{", part.Label.Zh + part.Label.En);
            Assert.InRange(part.Points, 0, 100);
        }
    }

    /// <summary>Asserts exactly one validation error, on <paramref name="field"/>, with a message in both languages.</summary>
    public static void AssertSingleErrorOn(IReadOnlyList<FieldError> errors, string field)
    {
        var error = Assert.Single(errors);
        Assert.Equal(field, error.Field);
        Assert.False(string.IsNullOrWhiteSpace(error.Message.Zh));
        Assert.False(string.IsNullOrWhiteSpace(error.Message.En));
    }

    public static ScorePart Part(IEnumerable<ScorePart> parts, string code) => Assert.Single(parts, p => p.Code == code);
}
