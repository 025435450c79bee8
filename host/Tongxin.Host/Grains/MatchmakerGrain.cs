using Microsoft.Extensions.Options;
using Orleans;
using Tongxin.Host.Errors;
using Tongxin.Host.Matching;

namespace Tongxin.Host.Grains;

/// <summary>
/// Runs the matching batches of one service line in one county (key <c>{line}/{county}</c>, <see cref="Matchmakers.Key"/>).
/// One activation in the cluster, one call at a time: the cluster runs one batch per line and county at a time,
/// whichever host was asked. Woken by new needs and freed providers, by a reminder while it has open needs (durable in
/// Redis where several hosts run, so a batch owed by a host that died runs on another), and at every host's start.
/// </summary>
public interface IMatchmakerGrain : ILocatableGrain
{
    /// <summary>
    /// Something changed: a batch runs soon, at once after a quiet spell, otherwise once
    /// <see cref="MatchingOptions.AutoRunInterval"/> has passed since the last. Returns when the batch is owed
    /// durably (the reminder is registered), not when it has run.
    /// </summary>
    Task WakeAsync();

    /// <summary>Runs a batch now (civil affairs' "run matching") and answers what it did.</summary>
    Task<BatchResult> RunNowAsync();
}

public static class Matchmakers
{
    public static string Key(string line, string countyCode) => $"{line}/{countyCode}";

    public static IMatchmakerGrain Matchmaker(this IGrainFactory grains, string line, string countyCode) =>
        grains.GetGrain<IMatchmakerGrain>(Key(line, countyCode));
}

internal sealed class MatchmakerGrain(MatchingEngine engine, IOptions<MatchingOptions> options, ILogger<MatchmakerGrain> logger)
    : Grain, IMatchmakerGrain, IRemindable
{
    private const string ReminderName = "open-needs";

    /// <summary>The longest wait between two tries of a batch that failed because the database was unreachable.</summary>
    internal static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(1);

    private string _line = "";
    private string _county = "";
    private IGrainReminder? _reminder;
    // The batch waiting to run, if one is scheduled.
    private IGrainTimer? _next;
    // Real time, not the domain clock (which tests move): the interval paces work, it is not a domain rule.
    private long? _lastRun;
    private int _failuresInARow;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        var slash = key.LastIndexOf('/');
        (_line, _county) = (key[..slash], key[(slash + 1)..]);
        _reminder = await this.GetReminder(ReminderName);
    }

    public async Task WakeAsync()
    {
        await KeepReminderAsync();
        Schedule(PacingDelay());
    }

    public async Task<BatchResult> RunNowAsync()
    {
        _next?.Dispose();
        _next = null;
        return await RunBatchAsync();
    }

    public Task<GrainLocation> LocateAsync() => Task.FromResult(GrainLocation.Of(GrainContext));

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // The reminder is the durable part: it fires on whichever host holds this grain now.
        Schedule(PacingDelay());
        return Task.CompletedTask;
    }

    private TimeSpan PacingDelay()
    {
        if (_lastRun is not { } last)
        {
            return TimeSpan.Zero;
        }
        var wait = options.Value.AutoRunInterval - TimeProvider.System.GetElapsedTime(last);
        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }

    private void Schedule(TimeSpan delay)
    {
        if (_next is not null)
        {
            return; // a batch is already owed: whatever woke us now is in it
        }
        _next = this.RegisterGrainTimer(RunScheduledAsync, new GrainTimerCreationOptions(delay, Timeout.InfiniteTimeSpan) { KeepAlive = true });
    }

    private async Task RunScheduledAsync(CancellationToken cancellationToken)
    {
        _next?.Dispose();
        _next = null;
        try
        {
            await RunBatchAsync();
            _failuresInARow = 0;
        }
        catch (Exception e) when (e is ServiceUnavailableException || ProblemExceptionHandler.DatabaseUnavailable(e))
        {
            // The needs stay open, but what woke this batch happened once: without a retry they would wait for the
            // next reminder, or the next need, long after the database is back.
            _failuresInARow++;
            var delay = TimeSpan.FromSeconds(Math.Min(Math.Pow(2, _failuresInARow - 1), MaxRetryDelay.TotalSeconds));
            logger.LogWarning("Matching batch {Line}/{County} failed: the database is unreachable; trying again in {Delay}.", _line, _county, delay);
            Schedule(delay);
        }
        catch (Exception e)
        {
            // A failed batch loses nothing: the needs stay open and the reminder or the next wake runs it again.
            logger.LogError(e, "Matching batch {Line}/{County} failed.", _line, _county);
        }
    }

    private async Task<BatchResult> RunBatchAsync()
    {
        BatchResult result;
        try
        {
            result = await engine.RunBatchAsync(_line, _county, CancellationToken.None);
        }
        finally
        {
            _lastRun = TimeProvider.System.GetTimestamp();
        }
        if (result.OpenNeeds > result.OffersMade)
        {
            await KeepReminderAsync();
        }
        else if (_reminder is not null)
        {
            // Nothing left to place: no more ticks until a need or a provider wakes this line and county again.
            await this.UnregisterReminder(_reminder);
            _reminder = null;
        }
        return result;
    }

    /// <summary>While needs are open, a reminder keeps a batch owed even if this host dies (only when matching runs by itself).</summary>
    private async Task KeepReminderAsync()
    {
        if (_reminder is null && options.Value.AutoRun)
        {
            var period = options.Value.ReminderPeriod;
            _reminder = await this.RegisterOrUpdateReminder(ReminderName, period, period);
        }
    }
}
