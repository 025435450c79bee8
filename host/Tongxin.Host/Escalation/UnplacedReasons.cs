using Tongxin.Host.Children;
using Tongxin.Host.Matching;
using Tongxin.Host.Persistence;
using Tongxin.Host.Text;
using Tongxin.Modules.Contracts;

namespace Tongxin.Host.Escalation;

/// <summary>
/// Why the matcher could not place a need, found by walking the same rules it applies (<see cref="CandidateRules"/>), in order, and stopping
/// at the first that leaves no provider: consent, an unanswered offer, no provider on the line in the county,
/// none vetted (or every programme ended), none reaching the child's village, none passing the line's rules,
/// all of those declined it already, all full. If providers pass every rule and have room, the need is simply
/// still waiting for a run (or lost to needs that scored higher): <see cref="NotYetPlaced"/>.
/// </summary>
public static class UnplacedReasons
{
    public const string NoConsent = "no-consent";
    public const string OfferUnanswered = "offer-unanswered";
    public const string NoProvider = "no-provider";
    public const string NoVettedProvider = "no-vetted-provider";
    public const string NoneInRange = "none-in-range";
    public const string LineRules = "line-rules";
    public const string AllDeclined = "all-declined";
    public const string AllFull = "all-full";
    public const string NotYetPlaced = "not-yet-placed";

    public static readonly IReadOnlyList<string> All =
        [NoConsent, OfferUnanswered, NoProvider, NoVettedProvider, NoneInRange, LineRules, AllDeclined, AllFull, NotYetPlaced];

    public static LocalizedText Label(string code) => HostTexts.Get($"unplaced.{code}");
}

/// <summary>How many of the county's providers of the line were left after each rule.</summary>
public sealed record ProviderFunnel(int OnLine, int Vetted, int InRange, int PassLineRules, int NotDeclined, int WithRoom);

/// <summary>The reason, the funnel behind it, and the line's most frequent refusal when the line's rules were it.</summary>
public sealed record Diagnosis(string ReasonCode, ProviderFunnel Funnel, string? LineRuleCode, string? LineRuleZh, string? LineRuleEn);

/// <summary>
/// One line's providers in one county, read once per sweep, judged by the rules matching applies
/// (<see cref="CandidateRules"/>), in the same order: the reason a need waits is the first rule that left no provider.
/// </summary>
internal sealed class LineSituation(CandidateRules rules, CandidatePool pool, IReadOnlySet<(string NeedId, string ProviderId)> declined)
{
    public Diagnosis Diagnose(Need need, ChildFile child, NeedFacts facts)
    {
        var verdicts = pool.Providers.Select(p => rules.Check(child, need, facts, p, declined)).ToList();
        // How many providers passed every rule up to and including this one.
        int Passed(CandidateRule rule) => verdicts.Count(v => v.FailedAt is null || v.FailedAt > rule);
        var funnel = new ProviderFunnel(Passed(CandidateRule.Line), Passed(CandidateRule.Vetting), Passed(CandidateRule.Region),
            Passed(CandidateRule.LineRules), Passed(CandidateRule.NotDeclined), Passed(CandidateRule.Capacity));

        var reason = !child.Covers(ConsentPurposes.Matching) ? UnplacedReasons.NoConsent
            : need.Status == NeedStatus.Offered ? UnplacedReasons.OfferUnanswered
            : funnel.OnLine == 0 ? UnplacedReasons.NoProvider
            : funnel.Vetted == 0 ? UnplacedReasons.NoVettedProvider
            : funnel.InRange == 0 ? UnplacedReasons.NoneInRange
            : funnel.PassLineRules == 0 ? UnplacedReasons.LineRules
            : funnel.NotDeclined == 0 ? UnplacedReasons.AllDeclined
            : funnel.WithRoom == 0 ? UnplacedReasons.AllFull
            : UnplacedReasons.NotYetPlaced;
        var refusals = verdicts.Where(v => v.FailedAt == CandidateRule.LineRules && v.LineRefusal is not null).Select(v => v.LineRefusal!).ToList();
        if (reason != UnplacedReasons.LineRules || refusals.Count == 0)
        {
            return new Diagnosis(reason, funnel, null, null, null);
        }
        // The line's most frequent refusal, and its text.
        var most = refusals.GroupBy(r => r.ReasonCode ?? "", StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First();
        var label = most.First().Reason;
        return new Diagnosis(reason, funnel, most.Key, label?.Zh, label?.En);
    }

    /// <summary>The start dates of the line's programmes that could take this need (hard rules passed; room and earlier answers not considered).</summary>
    public IReadOnlyList<DateOnly> EligibleProgrammeStarts(Need need, ChildFile child, NeedFacts facts) =>
        pool.Providers
            .Where(p => p.Entity.Kind == ProviderKind.Programme && p.Entity.StartsOn is not null)
            .Where(p => rules.Check(child, need, facts, p, declined) is { FailedAt: null or >= CandidateRule.NotDeclined })
            .Select(p => p.Entity.StartsOn!.Value)
            .Order()
            .ToList();
}
