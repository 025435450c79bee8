namespace Tongxin.Grains;

// The public programming model. The names follow Microsoft Orleans (IGrain, IGrainWithStringKey,
// IGrainFactory, Grain, OnActivateAsync/OnDeactivateAsync) so that grain code moves to Orleans with
// an adapter rather than a rewrite (README.md, "Moving to Orleans").

/// <summary>Marker for grain interfaces. Every method must return <see cref="Task"/> or <see cref="Task{T}"/>.</summary>
public interface IGrain;

/// <summary>A grain identified by a string key (a child id, a volunteer or programme id).</summary>
public interface IGrainWithStringKey : IGrain;

/// <summary>Gives references to grains. A reference is cheap; the activation is made on the first call.</summary>
public interface IGrainFactory
{
    TGrainInterface GetGrain<TGrainInterface>(string key) where TGrainInterface : IGrainWithStringKey;
}

/// <summary>
/// Base class of grain implementations. One instance (an activation) exists per grain type and key in
/// this process; the runtime calls it one turn at a time, so its fields need no locks.
/// </summary>
public abstract class Grain
{
    // Set by the runtime (Initialize) right after construction, before OnActivateAsync. Kept as plain
    // fields rather than constructor parameters so that grain constructors take only their own services.
    private string grainKey = string.Empty;
    private IGrainFactory? grainFactory;

    /// <summary>The key this activation serves (Orleans: <c>this.GetPrimaryKeyString()</c>).</summary>
    protected string GrainKey => grainKey;

    /// <summary>For calls to other grains (never to this grain itself: that would wait for its own turn).</summary>
    protected IGrainFactory GrainFactory =>
        grainFactory ?? throw new InvalidOperationException("The grain has not been activated by the runtime.");

    /// <summary>
    /// Loads state. Runs inside the first turn, before the call that caused the activation; runs again
    /// (inside the same turn) before each retry after a stale write, so it must replace the whole state.
    /// If it throws, the caller gets the exception and no activation is kept.
    /// </summary>
    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs in a last turn when the activation is dropped (idle, or the runtime shuts down).</summary>
    public virtual Task OnDeactivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    internal void Initialize(string key, IGrainFactory factory)
    {
        grainKey = key;
        grainFactory = factory;
    }
}

/// <summary>
/// Thrown by a grain (or recognised by <see cref="GrainOptions.IsStale"/>, e.g. EF Core's
/// DbUpdateConcurrencyException) when its versioned write lost to another host: the in-memory state
/// is out of date. The runtime reloads the state and retries the call.
/// </summary>
public sealed class StaleStateException(string message) : Exception(message);

/// <summary>
/// Thrown to the caller when a call still met stale state after <see cref="GrainOptions.MaxStaleRetries"/>
/// reloads and retries. The inner exception is the last stale one. The host answers HTTP 409.
/// </summary>
public sealed class GrainConflictException : Exception
{
    public GrainConflictException(string message, Exception? innerException) : base(message, innerException)
    {
    }

    public GrainConflictException(string message) : base(message)
    {
    }
}

/// <summary>Settings of the grain runtime (<c>services.AddGrains(o => ...)</c>).</summary>
public sealed class GrainOptions
{
    /// <summary>An activation unused for this long is deactivated and removed, so memory stays bounded.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the background sweeper looks for idle activations.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many times a call is retried (after reloading state) when it fails on stale state.</summary>
    public int MaxStaleRetries { get; set; } = 3;

    /// <summary>Recognises a stale-state failure. The host adds EF Core's DbUpdateConcurrencyException.</summary>
    public Func<Exception, bool> IsStale { get; set; } = static e => e is StaleStateException;
}
