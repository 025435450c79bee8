using System.Threading.Channels;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tongxin.Host.Needs;
using Tongxin.Host.Persistence;
using Tongxin.Host.Providers;
using Tongxin.Modules.Contracts;

namespace Tongxin.Host.Matching;

/// <summary>
/// Matching runs by itself: a need or provider that appears or frees up queues its line and county;
/// one background worker runs the batches, each (line, county) once however often it was queued meanwhile.
/// A (line, county) that ran less than <see cref="MatchingOptions.AutoRunInterval"/> ago waits for the rest of
/// that interval, still queued, so a burst of requests for help makes one batch per interval rather than one
/// batch per request (measured: back-to-back batches took most of a core while directors were asking for help).
/// A trigger after a quiet spell runs at once.
/// </summary>
public sealed class MatchingQueue
{
    private readonly Channel<(string Line, string County)> _channel = Channel.CreateUnbounded<(string, string)>();
    private readonly HashSet<(string, string)> _queued = [];

    public void Enqueue(string line, string county)
    {
        lock (_queued)
        {
            if (!_queued.Add((line, county)))
            {
                return;
            }
        }
        _channel.Writer.TryWrite((line, county));
    }

    /// <summary>The next queued batch; it stays queued (later triggers fold into it) until <see cref="Taken"/>.</summary>
    internal ValueTask<(string Line, string County)> ReadAsync(CancellationToken cancellationToken) => _channel.Reader.ReadAsync(cancellationToken);

    /// <summary>The batch starts now: a trigger from here on queues another run.</summary>
    internal void Taken((string Line, string County) item)
    {
        lock (_queued)
        {
            _queued.Remove(item);
        }
    }

    /// <summary>Puts a batch that must wait back in line after <paramref name="delay"/>; it stays queued meanwhile.</summary>
    internal void RequeueAfter((string Line, string County) item, TimeSpan delay, TimeProvider clock, CancellationToken cancellationToken) =>
        _ = Task.Delay(delay, clock, cancellationToken).ContinueWith(
            _ => _channel.Writer.TryWrite(item), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
}

internal sealed class MatchingTriggers(MatchingQueue queue, IOptions<MatchingOptions> options)
    : INotificationHandler<NeedRequested>, INotificationHandler<NeedReopened>, INotificationHandler<ProviderAvailable>
{
    public Task Handle(NeedRequested notification, CancellationToken cancellationToken) => Queue(notification.Line, notification.CountyCode);

    public Task Handle(NeedReopened notification, CancellationToken cancellationToken) => Queue(notification.Line, notification.CountyCode);

    public Task Handle(ProviderAvailable notification, CancellationToken cancellationToken)
    {
        foreach (var line in notification.Lines)
        {
            Queue(line, notification.CountyCode);
        }
        return Task.CompletedTask;
    }

    private Task Queue(string line, string county)
    {
        if (options.Value.AutoRun)
        {
            queue.Enqueue(line, county);
        }
        return Task.CompletedTask;
    }
}

/// <summary>Runs queued batches, and expires unanswered offers on a timer so their needs go back to matching.</summary>
internal sealed class MatchingWorker(
    MatchingQueue queue,
    MatchingEngine engine,
    IDbContextFactory<TongxinDbContext> databases,
    IOptions<MatchingOptions> options,
    TimeProvider clock,
    ILogger<MatchingWorker> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(RunQueuedBatchesAsync(stoppingToken), ExpireOffersPeriodicallyAsync(stoppingToken));

    /// <summary>The longest wait between two tries of a batch that failed because the database was unreachable.</summary>
    internal static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(1);

    private async Task RunQueuedBatchesAsync(CancellationToken stoppingToken)
    {
        // Batches that failed on an unreachable database, and how often in a row. Only this loop touches it.
        var failures = new Dictionary<(string, string), int>();
        // Real time, not the domain clock (which tests move): the interval paces work, it is not a domain rule.
        var time = TimeProvider.System;
        var lastRun = new Dictionary<(string, string), long>();
        try
        {
            while (true)
            {
                var batch = await queue.ReadAsync(stoppingToken);
                var wait = lastRun.TryGetValue(batch, out var last)
                    ? options.Value.AutoRunInterval - time.GetElapsedTime(last)
                    : TimeSpan.Zero;
                if (wait > TimeSpan.Zero)
                {
                    queue.RequeueAfter(batch, wait, time, stoppingToken);
                    continue;
                }
                queue.Taken(batch);
                try
                {
                    await engine.RunBatchAsync(batch.Line, batch.County, stoppingToken);
                    failures.Remove(batch);
                }
                catch (Exception e) when (e is not OperationCanceledException && Errors.ProblemExceptionHandler.DatabaseUnavailable(e))
                {
                    // The needs stay open, but what queued this batch happened once and may not happen again for
                    // days (a quiet county): without a retry they would wait unmatched long after the database is back.
                    var failed = failures[batch] = failures.GetValueOrDefault(batch) + 1;
                    var delay = TimeSpan.FromSeconds(Math.Min(Math.Pow(2, failed - 1), MaxRetryDelay.TotalSeconds));
                    logger.LogWarning(e, "Matching batch {Line}/{County} failed: the database is unreachable; trying again in {Delay}.", batch.Line, batch.County, delay);
                    _ = QueueAgainAsync(batch.Line, batch.County, delay, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A failed batch loses nothing: the needs stay open and the next trigger or run retries.
                    logger.LogError(e, "Matching batch {Line}/{County} failed.", batch.Line, batch.County);
                }
                lastRun[batch] = time.GetTimestamp();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task QueueAgainAsync(string line, string county, TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, clock, stoppingToken);
            queue.Enqueue(line, county);
        }
        catch (OperationCanceledException)
        {
            // Host stopping.
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
                            queue.Enqueue(batch.Line, batch.CountyCode);
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
