using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Orleans;
using Tongxin.Host.Grains;
using Tongxin.Host.Needs;
using Tongxin.Host.Persistence;
using Tongxin.Host.Providers;
using Tongxin.Modules.Contracts;

namespace Tongxin.Host.Matching;

/// <summary>
/// Matching runs by itself: a need or provider that appears or frees up wakes its line and county's matchmaker
/// (<see cref="IMatchmakerGrain"/>), which runs one batch per <see cref="MatchingOptions.AutoRunInterval"/> at most,
/// so a burst of requests for help makes one batch rather than one batch each.
/// </summary>
internal sealed class MatchingTriggers(IGrainFactory grains, IOptions<MatchingOptions> options, ILogger<MatchingTriggers> logger)
    : INotificationHandler<NeedRequested>, INotificationHandler<NeedReopened>, INotificationHandler<ProviderAvailable>
{
    public Task Handle(NeedRequested notification, CancellationToken cancellationToken) => WakeAsync(notification.Line, notification.CountyCode);

    public Task Handle(NeedReopened notification, CancellationToken cancellationToken) => WakeAsync(notification.Line, notification.CountyCode);

    public async Task Handle(ProviderAvailable notification, CancellationToken cancellationToken)
    {
        foreach (var line in notification.Lines)
        {
            await WakeAsync(line, notification.CountyCode);
        }
    }

    private async Task WakeAsync(string line, string county)
    {
        if (!options.Value.AutoRun)
        {
            return;
        }
        try
        {
            await grains.Matchmaker(line, county).WakeAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // What woke matching is already saved (the need, the provider): the request succeeded. Its batch still
            // runs, by the matchmaker's reminder if it has open needs, or at the next host's start.
            logger.LogWarning(e, "Waking matching for {Line}/{County} failed; the batch is left to its reminder or the next start.", line, county);
        }
    }
}

/// <summary>
/// Matching's background work on each host: at start, wakes the matchmaker of every line and county with open
/// needs (a need acknowledged just before a crash is matched after the restart with nothing else happening); and
/// on a timer, expires unanswered offers so their needs go back to matching.
/// </summary>
internal sealed class MatchingWorker(
    IGrainFactory grains,
    IDbContextFactory<TongxinDbContext> databases,
    IOptions<MatchingOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider clock,
    ILogger<MatchingWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // The silo and the database are up once the application has started.
            await WhenStartedAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        if (options.Value.AutoRun)
        {
            await WakeOpenNeedsAsync(stoppingToken);
        }
        await ExpireOffersPeriodicallyAsync(stoppingToken);
    }

    private Task WhenStartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        stoppingToken.Register(() => started.TrySetCanceled(stoppingToken));
        return started.Task;
    }

    private async Task WakeOpenNeedsAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await using var db = await databases.CreateDbContextAsync(stoppingToken);
                var open = await db.Needs.AsNoTracking()
                    .Where(n => n.Status == NeedStatus.Open)
                    .Select(n => new { n.Line, n.CountyCode })
                    .Distinct()
                    .ToListAsync(stoppingToken);
                foreach (var batch in open)
                {
                    await grains.Matchmaker(batch.Line, batch.CountyCode).WakeAsync();
                }
                if (open.Count > 0)
                {
                    logger.LogInformation("Woke matching for {Count} lines and counties with open needs at start.", open.Count);
                }
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The database or the cluster is not there yet: the needs wait, so try again shortly.
                var delay = TimeSpan.FromSeconds(Math.Min(Math.Pow(2, attempt - 1), 60));
                logger.LogWarning(e, "Waking matching for open needs at start failed; trying again in {Delay}.", delay);
                try
                {
                    await Task.Delay(delay, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task ExpireOffersPeriodicallyAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ExpiryInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await using var db = await databases.CreateDbContextAsync(stoppingToken);
                    var now = clock.GetUtcNow().UtcDateTime;
                    var reopened = await db.Offers.AsNoTracking()
                        .Where(o => o.Status == OfferStatus.Pending && o.ExpiresAt <= now)
                        .Join(db.Needs, o => o.NeedId, n => n.Id, (o, n) => new { o.Line, n.CountyCode })
                        .Distinct()
                        .ToListAsync(stoppingToken);
                    if (await MatchingEngine.ExpireOffersAsync(db, null, null, now, stoppingToken) > 0 && options.Value.AutoRun)
                    {
                        foreach (var batch in reopened)
                        {
                            await grains.Matchmaker(batch.Line, batch.CountyCode).WakeAsync();
                        }
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Expiring offers failed; will try again.");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
