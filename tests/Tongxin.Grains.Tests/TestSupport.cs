using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;

namespace Tongxin.Grains.Tests;

/// <summary>A service provider with the runtime, the test grains, a manual clock and shared recorders.</summary>
public sealed class TestHost : IAsyncDisposable
{
    private readonly ServiceProvider provider;

    public TestHost(Action<GrainOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Clock);
        services.AddSingleton(Recorder);
        services.AddSingleton(Store);
        services.AddGrains(configure);
        services.AddGrain<ICounterGrain, CounterGrain>();
        services.AddGrain<ITurnGrain, TurnGrain>();
        services.AddGrain<IHopGrain, HopGrain>();
        services.AddGrain<IEchoGrain, EchoGrain>();
        services.AddGrain<IBadGrain, BadGrain>();
        services.AddGrain<IChildLikeGrain, ChildLikeGrain>();
        provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        Runtime = provider.GetRequiredService<GrainRuntime>();
    }

    public ManualTimeProvider Clock { get; } = new();

    public Recorder Recorder { get; } = new();

    public VersionedStore Store { get; } = new();

    public GrainRuntime Runtime { get; }

    public IServiceProvider Services => provider;

    public IGrainFactory Grains => provider.GetRequiredService<IGrainFactory>();

    public ValueTask DisposeAsync() => provider.DisposeAsync();
}

/// <summary>Shared observations of the test grains (one per TestHost).</summary>
public sealed class Recorder
{
    private readonly ConcurrentDictionary<string, StrongBox<int>> running = new();
    private int maxRunning;
    private int activations;
    private int deactivations;
    private int invocations;

    public ConcurrentQueue<string> Log { get; } = new();

    public int MaxRunning => Volatile.Read(ref maxRunning);

    public int Activations => Volatile.Read(ref activations);

    public int Deactivations => Volatile.Read(ref deactivations);

    public int Invocations => Volatile.Read(ref invocations);

    /// <summary>How many of the next writes fail as stale (as if another host had written first).</summary>
    public int StaleWritesToFail;

    public bool FailActivation;

    /// <summary>When set, OnDeactivateAsync waits for it (to hold a deactivation open).</summary>
    public Task? DeactivationGate;

    public TaskCompletionSource DeactivationStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Deactivated { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A call of the grain with this key starts running (MaxRunning: most at once for one key).</summary>
    public void Enter(string key)
    {
        var now = Interlocked.Increment(ref running.GetOrAdd(key, _ => new StrongBox<int>()).Value);
        int seen;
        while (now > (seen = Volatile.Read(ref maxRunning)) && Interlocked.CompareExchange(ref maxRunning, now, seen) != seen)
        {
        }
    }

    public void Exit(string key) => Interlocked.Decrement(ref running[key].Value);

    public void Activated() => Interlocked.Increment(ref activations);

    public void Invoked() => Interlocked.Increment(ref invocations);

    public void DeactivatedOnce()
    {
        Interlocked.Increment(ref deactivations);
        Deactivated.TrySetResult();
    }
}

/// <summary>A stand-in for a table with a version column: a write names the version it read.</summary>
public sealed class VersionedStore
{
    private readonly ConcurrentDictionary<string, (int Value, int Version)> rows = new();

    public (int Value, int Version) Read(string key) => rows.GetValueOrDefault(key);

    public bool TryWrite(string key, int expectedVersion, int value)
    {
        var current = rows.GetValueOrDefault(key);
        return current.Version == expectedVersion
            && (expectedVersion == 0
                ? rows.TryAdd(key, (value, 1))
                : rows.TryUpdate(key, (value, expectedVersion + 1), current));
    }

    /// <summary>Another host writes.</summary>
    public void WriteElsewhere(string key, int value)
    {
        var current = rows.GetValueOrDefault(key);
        rows[key] = (value, current.Version + 1);
    }
}

/// <summary>A clock the test moves by hand, with timers that fire when it passes their due time.</summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock gate = new();
    private readonly List<ManualTimer> timers = [];
    private readonly TaskCompletionSource timerCreated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DateTimeOffset now = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Completes when a timer exists (a background service may create its timer later than StartAsync returns).</summary>
    public Task TimerCreated => timerCreated.Task;

    public override DateTimeOffset GetUtcNow()
    {
        lock (gate)
        {
            return now;
        }
    }

    public void Advance(TimeSpan by)
    {
        List<ManualTimer> due;
        lock (gate)
        {
            now += by;
            due = timers.Where(t => t.DueAt is { } at && at <= now).ToList();
            foreach (var timer in due)
            {
                timer.DueAt = timer.Period > TimeSpan.Zero ? now + timer.Period : null;
            }
        }
        foreach (var timer in due)
        {
            timer.Fire();
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        lock (gate)
        {
            timers.Add(timer);
        }
        timerCreated.TrySetResult();
        return timer;
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? DueAt { get; set; }

        public TimeSpan Period { get; private set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner.gate)
            {
                DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : owner.now + dueTime;
                Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
            }
            return true;
        }

        public void Dispose()
        {
            lock (owner.gate)
            {
                owner.timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
