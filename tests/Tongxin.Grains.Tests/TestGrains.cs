namespace Tongxin.Grains.Tests;

// Grain interfaces are public: references are generated with System.Reflection.DispatchProxy.

/// <summary>A counter written through a versioned store, like a domain grain over EF Core.</summary>
public interface ICounterGrain : IGrainWithStringKey
{
    Task<int> Add(int amount);

    Task<int> Get();

    Task Fail(string message);

    Task<bool> SeesCancellableToken(CancellationToken cancellationToken);

    Task WaitUntilCancelled(CancellationToken cancellationToken);

    Task Hold(Task gate);
}

public sealed class CounterGrain(Recorder recorder, VersionedStore store) : Grain, ICounterGrain
{
    private (int Value, int Version) state;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await Task.Yield(); // loading is asynchronous in real grains
        if (recorder.FailActivation)
        {
            throw new InvalidOperationException("database unavailable");
        }
        state = store.Read(GrainKey);
        recorder.Log.Enqueue($"load {GrainKey} {state.Value}");
        recorder.Activated();
    }

    public override async Task OnDeactivateAsync(CancellationToken cancellationToken)
    {
        recorder.Log.Enqueue($"deactivate {GrainKey}");
        recorder.DeactivationStarted.TrySetResult();
        if (recorder.DeactivationGate is { } gate)
        {
            await gate;
        }
        recorder.Log.Enqueue($"deactivated {GrainKey}");
        recorder.DeactivatedOnce();
    }

    public async Task<int> Add(int amount)
    {
        recorder.Invoked();
        recorder.Enter(GrainKey);
        try
        {
            await Task.Yield();
            // Computed from the state, so a retry after a reload is correct.
            var value = state.Value + amount;
            recorder.Log.Enqueue($"write {GrainKey} {value}");
            if (Interlocked.Decrement(ref recorder.StaleWritesToFail) >= 0 || !store.TryWrite(GrainKey, state.Version, value))
            {
                throw new StaleStateException($"{GrainKey}: version {state.Version} is out of date");
            }
            state = (value, state.Version + 1);
            return value;
        }
        finally
        {
            recorder.Exit(GrainKey);
        }
    }

    public Task<int> Get() => Task.FromResult(state.Value);

    public async Task Fail(string message)
    {
        await Task.Yield();
        throw new InvalidOperationException(message);
    }

    public Task<bool> SeesCancellableToken(CancellationToken cancellationToken) => Task.FromResult(cancellationToken.CanBeCanceled);

    public Task WaitUntilCancelled(CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);

    public async Task Hold(Task gate)
    {
        recorder.Invoked();
        await gate;
    }
}

/// <summary>Records when each call enters and leaves its turn.</summary>
public interface ITurnGrain : IGrainWithStringKey
{
    Task Run(int number, Task gate);

    Task Meet(TaskCompletionSource arrived, Task other);
}

public sealed class TurnGrain(Recorder recorder) : Grain, ITurnGrain
{
    public async Task Run(int number, Task gate)
    {
        recorder.Enter(GrainKey);
        recorder.Log.Enqueue($"enter {number}");
        await gate;
        await Task.Yield();
        await Task.Delay(number % 3 == 0 ? 1 : 0);
        recorder.Log.Enqueue($"exit {number}");
        recorder.Exit(GrainKey);
    }

    public async Task Meet(TaskCompletionSource arrived, Task other)
    {
        arrived.SetResult();
        // Completes only when the other key's turn runs at the same time as this one.
        await other.WaitAsync(TimeSpan.FromSeconds(10));
    }
}

/// <summary>Calls the next grain of a path: a > b > c. A path back to a caller is a cycle.</summary>
public interface IHopGrain : IGrainWithStringKey
{
    Task<string> Hop(string[] path, int index);
}

public sealed class HopGrain : Grain, IHopGrain
{
    public async Task<string> Hop(string[] path, int index) =>
        index < path.Length
            ? $"{GrainKey}>{await GrainFactory.GetGrain<IHopGrain>(path[index]).Hop(path, index + 1)}"
            : GrainKey;
}

public interface IEchoGrain : IGrainWithStringKey
{
    Task<T> Echo<T>(T value);

    Task<string> ThrowsBeforeReturningTask();
}

public sealed class EchoGrain : Grain, IEchoGrain
{
    public Task<T> Echo<T>(T value) => Task.FromResult(value);

    public Task<string> ThrowsBeforeReturningTask() => throw new ArgumentException("thrown synchronously");
}

/// <summary>Not a valid grain interface: Count does not return a Task.</summary>
public interface IBadGrain : IGrainWithStringKey
{
    int Count();

    Task Fine();
}

public sealed class BadGrain : Grain, IBadGrain
{
    public int Count() => 0;

    public Task Fine() => Task.CompletedTask;
}

/// <summary>A trivial grain with a small state record, for the memory figure.</summary>
public interface IChildLikeGrain : IGrainWithStringKey
{
    Task<int> Age();
}

public sealed record ChildLikeState(string Name, int Age, string Village, int Version);

public sealed class ChildLikeGrain : Grain, IChildLikeGrain
{
    private ChildLikeState? state;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        state = new ChildLikeState($"child {GrainKey}", 9, "village", 1);
        return Task.CompletedTask;
    }

    public Task<int> Age() => Task.FromResult(state!.Age);
}
