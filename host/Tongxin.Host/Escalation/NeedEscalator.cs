using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tongxin.Host.Matching;
using Tongxin.Host.Modules;
using Tongxin.Host.Notifications;
using Tongxin.Host.Persistence;
using Tongxin.Host.Providers;
using Tongxin.Host.Regions;
using Tongxin.Host.Requests;

namespace Tongxin.Host.Escalation;

/// <summary>What one sweep did.</summary>
public sealed record EscalationSweep(int NeedsChecked, int EscalatedToTown, int EscalatedToCounty);

/// <summary>
/// Makes unplaced needs climb: a need still open (or offered and unanswered) past its line's wait is escalated to
/// the town supervisor, and if still unplaced after the town's time to act, to civil affairs. Each step is a row
/// with the reason the matcher could not place the need at that moment (<see cref="UnplacedReasons"/>). Steps are
/// unique per need and level, so any number of hosts may sweep at once.
/// </summary>
public sealed class NeedEscalator(
    IDbContextFactory<TongxinDbContext> databases,
    ModuleCatalog modules,
    TimeProvider clock,
    IOptions<EscalationOptions> options,
    ILogger<NeedEscalator> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<EscalationSweep> SweepAsync(string? countyCode, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var today = clock.Today();
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var query = from need in db.Needs.AsNoTracking()
                    join child in db.Children.AsNoTracking() on need.ChildId equals child.Id
                    where need.Status == NeedStatus.Open || need.Status == NeedStatus.Offered
                    select new { need, child };
        if (countyCode is not null)
        {
            query = query.Where(x => x.need.CountyCode == countyCode);
        }
        var rows = await query.ToListAsync(cancellationToken);
        var needIds = rows.Select(r => r.need.Id).ToList();
        var reached = (await db.NeedEscalations.AsNoTracking().Where(e => needIds.Contains(e.NeedId)).Select(e => new { e.NeedId, e.Level }).ToListAsync(cancellationToken))
            .GroupBy(e => e.NeedId).ToDictionary(g => g.Key, g => g.Max(e => e.Level));

        var steps = new List<NeedEscalation>();
        foreach (var group in rows.GroupBy(r => (r.need.Line, r.need.CountyCode)))
        {
            var module = modules.Find(group.Key.Line);
            if (module is null)
            {
                continue; // A line switched off: its needs wait for it to come back, nobody can place them meanwhile.
            }
            var needs = group.ToList();
            var situation = await LoadSituationAsync(db, module, group.Key.CountyCode, needs.Select(n => n.need.Id).ToList(), now, today, cancellationToken);
            foreach (var (need, child) in needs.Select(n => (n.need, n.child)))
            {
                var facts = MatchingEngine.ToFacts(need, child, [], today);
                var (dueTown, dueCounty) = DueTimes(module, need, child, facts, situation);
                var target = now >= dueCounty ? EscalationLevel.County : now >= dueTown ? EscalationLevel.Town : EscalationLevel.Village;
                var current = reached.GetValueOrDefault(need.Id, EscalationLevel.Village);
                if (target <= current)
                {
                    continue;
                }
                var diagnosis = situation.Diagnose(need, child, facts);
                for (var level = current + 1; level <= target; level++)
                {
                    steps.Add(new NeedEscalation
                    {
                        Id = Ids.New(),
                        NeedId = need.Id,
                        Line = need.Line,
                        RegionPath = need.RegionPath,
                        Level = level,
                        DueAt = level == EscalationLevel.Town ? dueTown : dueCounty,
                        At = now,
                        ReasonCode = diagnosis.ReasonCode,
                        DiagnosisJson = JsonSerializer.Serialize(diagnosis, Json),
                    });
                }
            }
        }

        var saved = await SaveAsync(steps, cancellationToken);
        var result = new EscalationSweep(rows.Count, saved.Count(s => s.Level == EscalationLevel.Town), saved.Count(s => s.Level == EscalationLevel.County));
        if (saved.Count > 0)
        {
            logger.LogWarning("Unplaced needs escalated: {Town} to town supervisors, {County} to civil affairs ({Checked} open needs checked).",
                result.EscalatedToTown, result.EscalatedToCounty, result.NeedsChecked);
        }
        return result;
    }

    /// <summary>When the need reaches the town, then the county: the line's wait (or the county's override), then the town's time to act.</summary>
    internal (DateTime Town, DateTime County) DueTimes(Tongxin.Modules.Contracts.IServiceLineModule module, Need need, ChildFile child, Tongxin.Modules.Contracts.NeedFacts facts, LineSituation situation)
    {
        var town = options.Value.WaitDays.TryGetValue(need.Line, out var days)
            ? need.CreatedAt + TimeSpan.FromDays(days)
            : module.WaitUntil(new Tongxin.Modules.Contracts.WaitContext(facts, situation.EligibleProgrammeStarts(need, child, facts)));
        var waited = town - need.CreatedAt;
        var townActs = waited < options.Value.TownActsWithin ? waited : options.Value.TownActsWithin;
        return (town, town + (townActs > TimeSpan.Zero ? townActs : TimeSpan.Zero));
    }

    internal static async Task<LineSituation> LoadSituationAsync(
        TongxinDbContext db, Tongxin.Modules.Contracts.IServiceLineModule module, string countyCode, IReadOnlyList<string> needIds, DateTime now, DateOnly today, CancellationToken cancellationToken) =>
        new(new CandidateRules(module, now, today),
            await CandidatePool.LoadAsync(db, countyCode, cancellationToken),
            await CandidatePool.DeclinedAsync(db, needIds, cancellationToken));

    /// <summary>Saves the steps; a step another host saved meanwhile (unique need and level) is skipped, not an error.</summary>
    private async Task<List<NeedEscalation>> SaveAsync(List<NeedEscalation> steps, CancellationToken cancellationToken)
    {
        if (steps.Count == 0)
        {
            return steps;
        }
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            db.NeedEscalations.AddRange(steps);
            await NoticesAsync(db, steps, cancellationToken);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return steps;
            }
            catch (DbUpdateException)
            {
                // Another host escalated some of these at the same moment: fall back to one at a time.
            }
        }
        var saved = new List<NeedEscalation>();
        foreach (var step in steps)
        {
            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            if (await db.NeedEscalations.AnyAsync(e => e.NeedId == step.NeedId && e.Level == step.Level, cancellationToken))
            {
                continue;
            }
            db.NeedEscalations.Add(step);
            await NoticesAsync(db, [step], cancellationToken);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                saved.Add(step);
            }
            catch (DbUpdateException)
            {
                // Most likely another host recorded this very step a moment ago; if not, the next sweep records it.
                logger.LogInformation("Escalation of need {Need} to {Level} was not saved here; the next sweep checks again.", step.NeedId, step.Level);
            }
        }
        return saved;
    }

    /// <summary>A step to the town tells its supervisors; a step to the county, civil affairs; committed with the step (issue 17).</summary>
    private static async Task NoticesAsync(TongxinDbContext db, IReadOnlyList<NeedEscalation> steps, CancellationToken cancellationToken)
    {
        var recipients = new Dictionary<(string, EscalationLevel), List<string>>();
        foreach (var step in steps)
        {
            var key = (step.Level == EscalationLevel.County ? RegionPaths.County(step.RegionPath) : RegionPaths.Town(step.RegionPath), step.Level);
            if (!recipients.TryGetValue(key, out var users))
            {
                users = step.Level == EscalationLevel.County
                    ? await NotificationRecipients.CountyAsync(db, step.RegionPath, cancellationToken)
                    : await NotificationRecipients.TownAsync(db, step.RegionPath, andCounty: false, cancellationToken);
                recipients[key] = users;
            }
            Outbox.Add(db, users, step.Level == EscalationLevel.County ? NotificationEvents.NeedEscalatedToCounty : NotificationEvents.NeedEscalatedToTown,
                $"/needs/{step.NeedId}", new NotificationArgs(step.Line), step.At);
        }
    }
}

/// <summary>Sweeps every <see cref="EscalationOptions.SweepEvery"/>; a failed sweep loses nothing, the next one catches up.</summary>
internal sealed class EscalationWorker(NeedEscalator escalator, IOptions<EscalationOptions> options, TimeProvider clock, ILogger<EscalationWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepEvery, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await escalator.SweepAsync(null, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Escalating unplaced needs failed; the next sweep tries again.");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
