using Orleans;
using Tongxin.Host.Persistence;

namespace Tongxin.Host.Care;

/// <summary>Why a child's care is failing (001 §3.2, 003 §5): the village acts on each.</summary>
public enum FailingCareReason
{
    /// <summary>Both parents are away working and nobody signed an entrusted-care agreement.</summary>
    NoAgreement,
    /// <summary>The agreement ran past its end date.</summary>
    AgreementExpired,
    /// <summary>The agreement was found no longer in place at the last check.</summary>
    AgreementLapsed,
    /// <summary>The carer was judged unable to care.</summary>
    CarerUnable,
}

/// <summary>The sealed part of an arrangement (names, phones, places): never in a column, never in a log.</summary>
[GenerateSerializer]
public sealed record CareDetails(
    [property: Id(0)] ParentDetails Father,
    [property: Id(1)] ParentDetails Mother,
    [property: Id(2)] CarerDetails? Carer,
    [property: Id(3)] string? AgreementSignedBy);

[GenerateSerializer]
public sealed record ParentDetails([property: Id(0)] string WorkPlace, [property: Id(1)] string Phone);

[GenerateSerializer]
public sealed record CarerDetails(
    [property: Id(0)] string FamilyName, [property: Id(1)] string GivenName, [property: Id(2)] string Relation, [property: Id(3)] int Age, [property: Id(4)] string AbilityNote);

/// <summary>
/// The rules that say care is failing, read from an arrangement's columns, and how far each raises the risk level:
/// a carer who cannot care is as serious as a concern (high); a missing, lapsed or expired agreement raises a low risk to
/// medium. The risk is only ever raised here, never lowered: lowering it is the director's judgement, with a reason.
/// </summary>
public static class CareRules
{
    public static IReadOnlyList<FailingCareReason> Failing(CareArrangement? care, DateOnly today)
    {
        var reasons = new List<FailingCareReason>();
        if (care is null)
        {
            return reasons;
        }
        var hasAgreement = care.AgreementSignedOn is not null;
        if (!hasAgreement && care.FatherPresence == ParentPresence.Away && care.MotherPresence == ParentPresence.Away)
        {
            reasons.Add(FailingCareReason.NoAgreement);
        }
        if (hasAgreement && care.AgreementUntil is { } until && until < today)
        {
            reasons.Add(FailingCareReason.AgreementExpired);
        }
        if (hasAgreement && care.AgreementInPlace == false)
        {
            reasons.Add(FailingCareReason.AgreementLapsed);
        }
        if (care.CarerAbility == CarerAbility.Cannot)
        {
            reasons.Add(FailingCareReason.CarerUnable);
        }
        return reasons;
    }

    public static RiskLevel RiskFor(FailingCareReason reason) => reason == FailingCareReason.CarerUnable ? RiskLevel.High : RiskLevel.Medium;

    public static string Key(FailingCareReason reason) => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(reason.ToString());

    public static string Format(IEnumerable<FailingCareReason> reasons) => string.Join(',', reasons.Select(Key));

    public static IReadOnlyList<FailingCareReason> Parse(string stored) =>
        Enum.GetValues<FailingCareReason>().Where(r => stored.Split(',').Contains(Key(r))).ToList();
}
