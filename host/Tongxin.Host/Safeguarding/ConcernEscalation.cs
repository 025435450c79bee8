using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tongxin.Host.Persistence;

namespace Tongxin.Host.Safeguarding;

/// <summary>Escalates concerns not reported to the police in time, records it, and passes it on.</summary>
public sealed class ConcernEscalation(IDbContextFactory<TongxinDbContext> databases, IOptions<SafeguardingOptions> options, TimeProvider clock, IServiceScopeFactory scopes)
{
    public async Task<int> EscalateOverdueAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var cutoff = now - options.Value.PoliceReportDeadline;
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var overdue = await db.Concerns.Where(c => c.Stage == ConcernStage.Discovered && c.EscalatedAt == null && c.RaisedAt <= cutoff).ToListAsync(cancellationToken);
        // Who heard of each, for the notifier too (one lookup each, not two).
        var recipients = new Dictionary<string, List<string>>();
        foreach (var concern in overdue)
        {
            concern.EscalatedAt = now;
            concern.Version++;
            db.ConcernSteps.Add(new ConcernStep
            {
                Id = Ids.New(), ConcernId = concern.Id, Step = "escalated", At = now, Notes = "", RecordedAt = now,
            });
            var people = await Notifications.NotificationRecipients.TownAsync(db, concern.RegionPath, andCounty: true, cancellationToken);
            recipients[concern.Id] = people;
            Notifications.Outbox.Add(db, people, Notifications.NotificationEvents.ConcernEscalated, $"/concerns/{concern.Id}", new Notifications.NotificationArgs(), now);
        }
        if (overdue.Count == 0)
        {
            return 0;
        }
        await db.SaveChangesAsync(cancellationToken);
        await using var scope = scopes.CreateAsyncScope();
        var notifier = scope.ServiceProvider.GetRequiredService<IConcernNotifier>();
        foreach (var concern in overdue)
        {
            await notifier.NotifyAsync(ConcernNotices.For(concern, escalated: true, recipients[concern.Id]), cancellationToken);
        }
        return overdue.Count;
    }
}

/// <summary>Escalates on a timer too, so a concern climbs even when nobody opens the list.</summary>
internal sealed class ConcernEscalationWorker(ConcernEscalation escalation, IOptions<SafeguardingOptions> options, TimeProvider clock, ILogger<ConcernEscalationWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.EscalationInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await escalation.EscalateOverdueAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Escalating concerns failed; will try again.");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
