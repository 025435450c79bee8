using System.Text.Json;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tongxin.Host.Children;
using Tongxin.Host.Modules;
using Tongxin.Host.Persistence;
using Tongxin.Host.Providers;
using Tongxin.Host.Regions;
using Tongxin.Host.Requests;
using Tongxin.Matching;
using Tongxin.Modules.Contracts;

namespace Tongxin.Host.Matching;

/// <summary>What one batch did.</summary>
[Orleans.GenerateSerializer, Orleans.Immutable]
public sealed record BatchResult(
    [property: Orleans.Id(0)] string Line, [property: Orleans.Id(1)] string CountyCode, [property: Orleans.Id(2)] int OpenNeeds,
    [property: Orleans.Id(3)] int Providers, [property: Orleans.Id(4)] int Candidates, [property: Orleans.Id(5)] int OffersMade,
    [property: Orleans.Id(6)] long TotalScore, [property: Orleans.Id(7)] int OffersExpired);

/// <summary>
/// Batch matching for one line in one county: every open need with consent against every provider
/// with free capacity. Hard rules (vetting, capacity, coverage, and the line's own) filter pairs;
/// each remaining pair gets a score of named parts (the host's and the line's); the best
/// <see cref="MatchingOptions.CandidatesPerNeed"/> per need go to an exact optimisation that maximises
/// the total score within capacities (<see cref="AssignmentSolver"/>), not first come first served.
/// Offers are written in one transaction with the needs' versions.
/// </summary>
public sealed class MatchingEngine(
    IDbContextFactory<TongxinDbContext> databases,
    ModuleCatalog modules,
    TimeProvider clock,
    IOptions<MatchingOptions> options,
    IServiceScopeFactory scopes,
    ILogger<MatchingEngine> logger)
{
    /// <summary>
    /// One batch. Called only by the line and county's matchmaker grain (<see cref="Grains.IMatchmakerGrain"/>), whose one
    /// activation in the cluster runs its batches one at a time: two batches of the same set at once would offer twice.
    /// </summary>
    public async Task<BatchResult> RunBatchAsync(string line, string countyCode, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await RunOnceAsync(line, countyCode, cancellationToken);
            }
            catch (DbUpdateConcurrencyException) when (attempt < 3)
            {
                // A need changed while we computed (cancelled, accepted elsewhere): compute again on fresh data.
                logger.LogInformation("Matching batch {Line}/{County} raced with a change; recomputing.", line, countyCode);
            }
        }
    }

    private async Task<BatchResult> RunOnceAsync(string line, string countyCode, CancellationToken cancellationToken)
    {
        var module = modules.Find(line) ?? throw new InvalidOperationException($"Line {line} is not loaded.");
        var now = clock.GetUtcNow().UtcDateTime;
        var today = clock.Today();
        await using var db = await databases.CreateDbContextAsync(cancellationToken);

        var expired = await ExpireOffersAsync(db, line, countyCode, now, cancellationToken);

        // The rules of CandidateRules, in one place: the providers that fail a rule of their own (line, vetting, a free
        // place) are set aside before any need is looked at; each pair then passes every rule or is not a candidate.
        var rules = new CandidateRules(module, now, today);
        var offerable = (await CandidatePool.LoadAsync(db, countyCode, cancellationToken)).Providers.Where(rules.MayBeOffered).ToList();

        if (offerable.Count == 0)
        {
            // No one has room: no offer can come of this batch, so the open needs are only counted, not loaded and
            // scored. Under a burst of requests for help in a county whose providers are full, this is most batches.
            var open = await (from need in db.Needs
                              join child in db.Children.Where(GuardianConsent.Covering(ConsentPurposes.Matching)) on need.ChildId equals child.Id
                              where need.Line == line && need.CountyCode == countyCode && need.Status == NeedStatus.Open
                              select need.Id).CountAsync(cancellationToken);
            logger.LogInformation("Matching {Line}/{County}: {Needs} open needs, no provider with room.", line, countyCode, open);
            return new BatchResult(line, countyCode, open, 0, 0, 0, 0, expired);
        }

        // Only children whose guardian consented to matching: without it a need waits, unmatched (GuardianConsent).
        var rows = await (from need in db.Needs.AsNoTracking()
                          join child in db.Children.AsNoTracking().Where(GuardianConsent.Covering(ConsentPurposes.Matching)) on need.ChildId equals child.Id
                          where need.Line == line && need.CountyCode == countyCode && need.Status == NeedStatus.Open
                          orderby need.CreatedAt, need.Id
                          select new { need, child }).ToListAsync(cancellationToken);
        var needIds = rows.Select(r => r.need.Id).ToList();
        var childIds = rows.Select(r => r.child.Id).Distinct().ToList();
        var previousProviders = (await db.Pairings.AsNoTracking()
                .Where(p => p.Line == line && childIds.Contains(p.ChildId))
                .Select(p => new { p.ChildId, p.ProviderId })
                .ToListAsync(cancellationToken))
            .ToLookup(p => p.ChildId, p => p.ProviderId);
        var declined = await CandidatePool.DeclinedAsync(db, needIds, cancellationToken);

        var candidates = new List<Candidate>();
        var reasons = new Dictionary<(int Need, int Provider), IReadOnlyList<ScorePart>>();
        var keep = options.Value.CandidatesPerNeed;
        for (var n = 0; n < rows.Count; n++)
        {
            var (need, child) = (rows[n].need, rows[n].child);
            var needFacts = ToFacts(need, child, previousProviders[child.Id].ToList(), today);
            var scored = new List<(int Provider, int Score, IReadOnlyList<ScorePart> Parts)>();
            for (var p = 0; p < offerable.Count; p++)
            {
                if (!rules.Check(child, need, needFacts, offerable[p], declined).Passes)
                {
                    continue;
                }
                var candidate = rules.Candidate(needFacts, offerable[p], need.RegionPath);
                var parts = HostScoring.Parts(needFacts, candidate.Proximity, now).Concat(module.Score(candidate)).Where(s => s.Points > 0).ToList();
                // Every eligible pair is worth at least one point, so the optimiser prefers placing a child to not.
                var score = Math.Max(1, parts.Sum(s => s.Points));
                scored.Add((p, score, parts));
            }
            foreach (var (p, score, parts) in scored.OrderByDescending(s => s.Score).ThenBy(s => s.Provider).Take(keep))
            {
                candidates.Add(new Candidate(n, p, score));
                reasons[(n, p)] = parts;
            }
        }

        var problem = new AssignmentProblem(rows.Count, offerable.Select(p => p.Free).ToArray(), candidates.ToArray());
        var assignment = AssignmentSolver.Solve(problem);

        var made = new List<OfferMade>();
        if (assignment.AssignedCount > 0)
        {
            var assigned = Enumerable.Range(0, rows.Count).Where(n => assignment.ProviderOfNeed[n] >= 0).ToList();
            var assignedIds = assigned.Select(n => rows[n].need.Id).ToList();
            var tracked = await db.Needs.Where(n => assignedIds.Contains(n.Id)).ToDictionaryAsync(n => n.Id, cancellationToken);
            var recipients = await Notifications.NotificationRecipients.OfProvidersAsync(
                db, assigned.Select(n => offerable[assignment.ProviderOfNeed[n]].Entity.Id).Distinct().ToList(), cancellationToken);
            foreach (var n in assigned)
            {
                var need = tracked[rows[n].need.Id];
                // Written against the version this batch read: a need changed meanwhile fails the whole batch, which recomputes.
                db.Entry(need).Property(x => x.Version).OriginalValue = rows[n].need.Version;
                var p = assignment.ProviderOfNeed[n];
                var parts = reasons[(n, p)];
                var offer = new Offer
                {
                    Id = Ids.New(),
                    NeedId = need.Id,
                    ProviderId = offerable[p].Entity.Id,
                    Line = line,
                    Score = Math.Max(1, parts.Sum(s => s.Points)),
                    ReasonsJson = Needs.OfferReasons.Write(parts),
                    Status = OfferStatus.Pending,
                    CreatedAt = now,
                    ExpiresAt = now + options.Value.OfferLifetime,
                    Version = 1,
                };
                db.Offers.Add(offer);
                // The volunteer or programme hears of the offer with it (issue 17): the line and the child's given name, as the offer shows.
                Notifications.Outbox.Add(db, recipients[offer.ProviderId], Notifications.NotificationEvents.OfferMade, "/offers",
                    new Notifications.NotificationArgs(line, rows[n].child.GivenName), now);
                need.Status = NeedStatus.Offered;
                need.UpdatedAt = now;
                need.Version = rows[n].need.Version + 1;
                made.Add(new OfferMade(offer.Id, need.Id, offer.ProviderId, line, offer.Score));
            }
            await db.SaveChangesAsync(cancellationToken);
        }

        await using (var scope = scopes.CreateAsyncScope())
        {
            var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
            foreach (var offer in made)
            {
                await mediator.Publish(offer, cancellationToken);
            }
        }
        logger.LogInformation(
            "Matching {Line}/{County}: {Needs} open needs, {Providers} providers, {Candidates} candidates, {Offers} offers, total score {Score}.",
            line, countyCode, rows.Count, offerable.Count, candidates.Count, made.Count, assignment.TotalScore);
        return new BatchResult(line, countyCode, rows.Count, offerable.Count, candidates.Count, made.Count, assignment.TotalScore, expired);
    }

    /// <summary>Pending offers past their time expire; their needs go back to open (and into this batch).</summary>
    internal static async Task<int> ExpireOffersAsync(TongxinDbContext db, string? line, string? countyCode, DateTime now, CancellationToken cancellationToken)
    {
        var query = from offer in db.Offers
                    join need in db.Needs on offer.NeedId equals need.Id
                    where offer.Status == OfferStatus.Pending && offer.ExpiresAt <= now
                    select new { offer, need };
        if (line is not null)
        {
            query = query.Where(x => x.offer.Line == line);
        }
        if (countyCode is not null)
        {
            query = query.Where(x => x.need.CountyCode == countyCode);
        }
        var overdue = await query.ToListAsync(cancellationToken);
        foreach (var (offer, need) in overdue.Select(x => (x.offer, x.need)))
        {
            Offers.OfferEndings.End(offer, OfferStatus.Expired, now);
            Offers.OfferEndings.BackToMatching(need, now);
        }
        if (overdue.Count > 0)
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        return overdue.Count;
    }

    /// <summary>What a module is told of a provider for one line.</summary>
    internal static ProviderFacts FactsOf(Provider provider, IReadOnlyList<string> coveredPaths, string line) => new(
        provider.Id,
        provider.Kind,
        provider.Gender is { } g ? JsonNamingPolicy.KebabCaseLower.ConvertName(g.ToString()) : null,
        coveredPaths.Select(RegionPaths.Codes).Select(c => c.Last()).ToList(),
        ProviderJson.OfferFor(provider, line),
        provider.Capacity,
        provider.Committed,
        ProviderJson.Strings(provider.AvailabilityJson),
        provider.StartsOn,
        provider.EndsOn,
        provider.AgeMin,
        provider.AgeMax);

    internal static NeedFacts ToFacts(Need need, ChildFile child, IReadOnlyCollection<string> previousProviders, DateOnly today)
    {
        using var details = JsonDocument.Parse(need.DetailsJson);
        return new NeedFacts(
            need.Id,
            child.Id,
            need.Line,
            details.RootElement.Clone(),
            need.Urgency == Urgency.Urgent,
            ChinaCalendar.AgeOn(child.BirthDate, today),
            JsonNamingPolicy.KebabCaseLower.ConvertName(child.Gender.ToString()),
            RegionPaths.Village(child.RegionPath),
            RegionPaths.Town(child.RegionPath),
            RegionPaths.County(child.RegionPath),
            JsonNamingPolicy.KebabCaseLower.ConvertName(child.RiskLevel.ToString()),
            PriorityGroups.Of(child),
            need.CreatedAt,
            previousProviders);
    }
}
