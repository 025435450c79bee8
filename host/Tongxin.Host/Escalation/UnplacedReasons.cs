using Tongxin.Host.Children;
using Tongxin.Host.Matching;
using Tongxin.Host.Persistence;
using Tongxin.Host.Providers;
using Tongxin.Host.Text;
using Tongxin.Modules.Contracts;
using ProviderKind = Tongxin.Host.Persistence.ProviderKind;

namespace Tongxin.Host.Escalation;

/// <summary>
/// Why the matcher could not place a need, found by walking the same rules it applies, in order, and stopping
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

/// <summary>One line's providers in one county, read once per sweep, with what a diagnosis needs of each.</summary>
internal sealed class LineSituation(
    IServiceLineModule module,
    IReadOnlyList<(Provider Provider, IReadOnlyList<string> Covered, int Free)> providers,
    IReadOnlySet<(string NeedId, string ProviderId)> declined,
    DateTime now,
    DateOnly today)
{
    public Diagnosis Diagnose(Need need, ChildFile child, NeedFacts facts)
    {
        var onLine = providers.Count;
        var vetted = providers.Where(p => MatchingEngine.Available(p.Provider, now, today)).ToList();
        var inRange = vetted.Where(p => MatchingEngine.Reaches(p.Provider, p.Covered, need.RegionPath)).ToList();
        var refusals = new Dictionary<string, (int Count, LocalizedText? Label)>(StringComparer.Ordinal);
        var passing = new List<(Provider Provider, IReadOnlyList<string> Covered, int Free)>();
        foreach (var p in inRange)
        {
            var eligibility = Eligibility(need, facts, p.Provider, p.Covered);
            if (eligibility.IsEligible)
            {
                passing.Add(p);
            }
            else
            {
                var code = eligibility.ReasonCode ?? "";
                refusals[code] = (refusals.GetValueOrDefault(code).Count + 1, eligibility.Reason);
            }
        }
        var notDeclined = passing.Where(p => !declined.Contains((need.Id, p.Provider.Id))).ToList();
        var withRoom = notDeclined.Count(p => p.Free > 0);
        var funnel = new ProviderFunnel(onLine, vetted.Count, inRange.Count, passing.Count, notDeclined.Count, withRoom);

        var reason = !child.Covers(ConsentPurposes.Matching) ? UnplacedReasons.NoConsent
            : need.Status == NeedStatus.Offered ? UnplacedReasons.OfferUnanswered
            : onLine == 0 ? UnplacedReasons.NoProvider
            : vetted.Count == 0 ? UnplacedReasons.NoVettedProvider
            : inRange.Count == 0 ? UnplacedReasons.NoneInRange
            : passing.Count == 0 ? UnplacedReasons.LineRules
            : notDeclined.Count == 0 ? UnplacedReasons.AllDeclined
            : withRoom == 0 ? UnplacedReasons.AllFull
            : UnplacedReasons.NotYetPlaced;
        if (reason != UnplacedReasons.LineRules || refusals.Count == 0)
        {
            return new Diagnosis(reason, funnel, null, null, null);
        }
        var (ruleCode, (_, label)) = refusals.OrderByDescending(r => r.Value.Count).ThenBy(r => r.Key, StringComparer.Ordinal).First();
        return new Diagnosis(reason, funnel, ruleCode, label?.Zh, label?.En);
    }

    /// <summary>The start dates of the line's programmes that could take this need (hard rules passed, room not considered).</summary>
    public IReadOnlyList<DateOnly> EligibleProgrammeStarts(Need need, NeedFacts facts) =>
        providers
            .Where(p => p.Provider.Kind == ProviderKind.Programme && p.Provider.StartsOn is not null)
            .Where(p => MatchingEngine.Available(p.Provider, now, today) && MatchingEngine.Reaches(p.Provider, p.Covered, need.RegionPath))
            .Where(p => Eligibility(need, facts, p.Provider, p.Covered).IsEligible)
            .Select(p => p.Provider.StartsOn!.Value)
            .Order()
            .ToList();

    private Eligibility Eligibility(Need need, NeedFacts facts, Provider provider, IReadOnlyList<string> covered) =>
        module.CheckEligibility(new MatchCandidate(
            facts, MatchingEngine.FactsOf(provider, covered, need.Line), Regions.RegionPaths.Closest(need.RegionPath, covered), today));
}
