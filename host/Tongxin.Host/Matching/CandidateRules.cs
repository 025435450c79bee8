using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Children;
using Tongxin.Host.Persistence;
using Tongxin.Host.Providers;
using Tongxin.Host.Regions;
using Tongxin.Modules.Contracts;

namespace Tongxin.Host.Matching;

/// <summary>The hard rules a need and a provider must pass before they are scored, in the order they are checked.</summary>
public enum CandidateRule
{
    /// <summary>The guardian's consent covers matching (a rule of the need: it fails for every provider at once).</summary>
    Consent,

    /// <summary>The provider offers the need's line.</summary>
    Line,

    /// <summary>Vetting passed and unexpired; a programme not ended.</summary>
    Vetting,

    /// <summary>The provider reaches the child: a programme the regions it covers, a volunteer the county.</summary>
    Region,

    /// <summary>The line's own rules (the module's eligibility: a Caring Mother is a woman, ...).</summary>
    LineRules,

    /// <summary>The provider has not declined this need before, nor let an offer of it expire.</summary>
    NotDeclined,

    /// <summary>The provider has a free place: capacity less pairings and offers awaiting an answer.</summary>
    Capacity,
}

/// <summary>A provider as the rules see it: the row, the regions it covers, its lines and its free places.</summary>
public sealed record ProviderCandidate(Provider Entity, IReadOnlyList<string> Covered, IReadOnlyList<string> Lines, int Free);

/// <summary>The first rule a pair failed, or none; and the line's own refusal when that was the rule.</summary>
public sealed record CandidateVerdict(CandidateRule? FailedAt, Eligibility? LineRefusal)
{
    public static readonly CandidateVerdict Passed = new(null, null);

    public bool Passes => FailedAt is null;
}

/// <summary>
/// The candidate rules, in one place: matching offers only pairs that pass them all, "why is this child waiting"
/// reports the first rule that left no provider, and the gap map counts the providers that pass the rules of a
/// provider and a place. So what a county is told about a waiting child always agrees with what matching did.
/// </summary>
public sealed class CandidateRules(IServiceLineModule module, DateTime now, DateOnly today)
{
    // What the module is told of each provider, made once per provider (its offer is JSON to read), not once per pair.
    private readonly Dictionary<string, ProviderFacts> facts = new(StringComparer.Ordinal);

    /// <summary>Checks every rule in <see cref="CandidateRule"/> order and stops at the first that fails.</summary>
    public CandidateVerdict Check(ChildFile child, Need need, NeedFacts needFacts, ProviderCandidate provider, IReadOnlySet<(string NeedId, string ProviderId)> declined)
    {
        if (!child.Covers(ConsentPurposes.Matching))
        {
            return new CandidateVerdict(CandidateRule.Consent, null);
        }
        if (!OffersLine(provider, need.Line))
        {
            return new CandidateVerdict(CandidateRule.Line, null);
        }
        if (!Available(provider.Entity))
        {
            return new CandidateVerdict(CandidateRule.Vetting, null);
        }
        if (!Reaches(provider, need.RegionPath))
        {
            return new CandidateVerdict(CandidateRule.Region, null);
        }
        var eligibility = module.CheckEligibility(Candidate(needFacts, provider, need.RegionPath));
        if (!eligibility.IsEligible)
        {
            return new CandidateVerdict(CandidateRule.LineRules, eligibility);
        }
        if (declined.Contains((need.Id, provider.Entity.Id)))
        {
            return new CandidateVerdict(CandidateRule.NotDeclined, null);
        }
        return provider.Free > 0 ? CandidateVerdict.Passed : new CandidateVerdict(CandidateRule.Capacity, null);
    }

    /// <summary>What the line's module is told of a pair (and scores, once it passed).</summary>
    public MatchCandidate Candidate(NeedFacts need, ProviderCandidate provider, string childPath)
    {
        if (!facts.TryGetValue(provider.Entity.Id, out var known))
        {
            facts[provider.Entity.Id] = known = MatchingEngine.FactsOf(provider.Entity, provider.Covered, module.Info.Key);
        }
        return new MatchCandidate(need, known, RegionPaths.Closest(childPath, provider.Covered), today);
    }

    /// <summary>
    /// Whether a provider can be offered anything of this line at all, whoever the child: the rules of the provider alone
    /// (line, vetting, a free place). Matching skips the others before it looks at a single need; that changes no verdict.
    /// </summary>
    public bool MayBeOffered(ProviderCandidate provider) => OffersLine(provider, module.Info.Key) && Available(provider.Entity) && provider.Free > 0;

    public static bool OffersLine(ProviderCandidate provider, string line) => provider.Lines.Contains(line);

    /// <summary>May this provider be offered anything at all today: vetting valid, a programme not ended.</summary>
    public bool Available(Provider provider) =>
        ProviderJson.VettingValid(provider, now) && (provider.Kind != ProviderKind.Programme || provider.EndsOn is null || provider.EndsOn >= today);

    /// <summary>Does the provider reach the child at all: a programme only the regions it covers, a volunteer the county.</summary>
    public static bool Reaches(ProviderCandidate provider, string childPath) =>
        (provider.Entity.Kind != ProviderKind.Programme || RegionPaths.Covers(provider.Covered, childPath))
        && RegionPaths.Closest(childPath, provider.Covered) != Proximity.OutsideCounty;

    /// <summary>
    /// Is the provider local to the region (the gap map's towns): based in it, or covering it or a part of it. Where
    /// providers are, for where to recruit; matching itself reaches further (<see cref="Reaches"/>: a volunteer, the county).
    /// </summary>
    public static bool IsLocalTo(ProviderCandidate provider, string regionPath) =>
        provider.Covered.Any(c => c.StartsWith(regionPath, StringComparison.Ordinal) || regionPath.StartsWith(c, StringComparison.Ordinal));
}

/// <summary>The providers of one county with their free places, read once per batch, sweep or report.</summary>
public sealed record CandidatePool(IReadOnlyList<ProviderCandidate> Providers)
{
    public static async Task<CandidatePool> LoadAsync(TongxinDbContext db, string countyCode, CancellationToken cancellationToken)
    {
        var countyPrefix = $"/{countyCode}/";
        var providers = await db.Providers.AsNoTracking().Where(p => p.RegionPath.StartsWith(countyPrefix)).ToListAsync(cancellationToken);
        var providerIds = providers.Select(p => p.Id).ToList();
        // Pending offers hold their place: capacity offered is never more than capacity free.
        var pending = (await db.Offers.AsNoTracking()
                .Where(o => o.Status == OfferStatus.Pending && providerIds.Contains(o.ProviderId))
                .GroupBy(o => o.ProviderId).Select(g => new { ProviderId = g.Key, Count = g.Count() })
                .ToListAsync(cancellationToken))
            .ToDictionary(p => p.ProviderId, p => p.Count);
        return new CandidatePool(providers.Select(p => new ProviderCandidate(
            p, ProviderJson.Strings(p.CoveredPathsJson), ProviderJson.Strings(p.LinesJson), p.Capacity - p.Committed - pending.GetValueOrDefault(p.Id))).ToList());
    }

    /// <summary>Which providers declined (or let expire) an offer of which of these needs: they are not offered it again.</summary>
    public static async Task<IReadOnlySet<(string NeedId, string ProviderId)>> DeclinedAsync(TongxinDbContext db, IReadOnlyList<string> needIds, CancellationToken cancellationToken) =>
        (await db.Offers.AsNoTracking()
            .Where(o => needIds.Contains(o.NeedId) && o.Status != OfferStatus.Pending && o.Status != OfferStatus.Accepted)
            .Select(o => new { o.NeedId, o.ProviderId })
            .ToListAsync(cancellationToken))
        .Select(o => (o.NeedId, o.ProviderId))
        .ToHashSet();
}
