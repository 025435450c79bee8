using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tongxin.Grains;

/// <summary>
/// The grain runtime of one process: a directory of activations (grain type + key → activation) and
/// the turn machinery. Registered as <see cref="IGrainFactory"/> by <c>AddGrains</c>.
/// </summary>
/// <remarks>
/// How it works (README.md has the longer story):
/// <list type="bullet">
/// <item>Turns: each call appends itself to its activation's queue under the activation's lock and then
/// awaits the completion of the call before it (<see cref="Activation.Tail"/>). That chain of tasks is
/// the FIFO queue: no per-activation thread, timer or channel, and nothing at all while idle.</item>
/// <item>Idle drop: the sweeper marks an activation that has no queued call and has not been used for
/// <see cref="GrainOptions.IdleTimeout"/> as deactivating, runs <c>OnDeactivateAsync</c>, and removes it.
/// A call that arrives meanwhile queues on a successor activation whose first turn waits for the
/// deactivation to end; the successor then replaces the old entry in the directory. No call is lost.</item>
/// <item>Stale state: a turn that fails with a stale-state exception reloads (<c>OnActivateAsync</c>)
/// and runs the call again, inside the same turn, up to <see cref="GrainOptions.MaxStaleRetries"/> times.</item>
/// </list>
/// </remarks>
public sealed class GrainRuntime : IGrainFactory
{
    // The turns running "above" the current code in this async flow (grain A's turn calling grain B...).
    // Used only to refuse a call into a grain whose turn is waiting for that very call: without it,
    // a self-call (or a cycle) would wait forever for its own turn to end.
    private static readonly AsyncLocal<TurnContext?> CurrentTurn = new();

    private readonly IServiceProvider services;
    private readonly GrainOptions options;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly Dictionary<Type, Type> implementations = [];
    private readonly ConcurrentDictionary<Type, GrainTypeInfo> grainTypes = new();
    private int activationCount;

    internal GrainRuntime(
        IServiceProvider services,
        IEnumerable<GrainRegistration> registrations,
        GrainOptions options,
        TimeProvider time,
        ILogger logger)
    {
        if (options.IdleTimeout < TimeSpan.Zero)
        {
            throw new ArgumentException("GrainOptions.IdleTimeout must not be negative.", nameof(options));
        }
        if (options.SweepInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("GrainOptions.SweepInterval must be positive.", nameof(options));
        }
        if (options.MaxStaleRetries < 0)
        {
            throw new ArgumentException("GrainOptions.MaxStaleRetries must not be negative.", nameof(options));
        }
        if (options.IsStale is null)
        {
            throw new ArgumentException("GrainOptions.IsStale must be set.", nameof(options));
        }

        this.services = services;
        this.options = options;
        this.time = time;
        this.logger = logger;
        foreach (var registration in registrations)
        {
            if (implementations.TryGetValue(registration.Interface, out var existing) && existing != registration.Implementation)
            {
                throw new InvalidOperationException(
                    $"Grain interface {registration.Interface.FullName} is registered twice, for {existing.FullName} and {registration.Implementation.FullName}.");
            }
            implementations[registration.Interface] = registration.Implementation;
        }
    }

    /// <summary>Grain instances alive in this process (activated and not yet deactivated).</summary>
    public int ActivationCount => Volatile.Read(ref activationCount);

    private long NowTicks => time.GetUtcNow().UtcTicks;

    public TGrainInterface GetGrain<TGrainInterface>(string key) where TGrainInterface : IGrainWithStringKey
    {
        ArgumentNullException.ThrowIfNull(key);
        var type = GetGrainType(typeof(TGrainInterface));
        // A reference is only (runtime, type, key): making one touches no activation.
        var reference = DispatchProxy.Create<TGrainInterface, GrainReference>();
        ((GrainReference)(object)reference!).Bind(this, type, key);
        return reference;
    }

    /// <summary>
    /// Deactivates every activation with no queued call that has not been used for
    /// <see cref="GrainOptions.IdleTimeout"/>. Called by the sweeper every <see cref="GrainOptions.SweepInterval"/>.
    /// </summary>
    /// <returns>How many activations were deactivated.</returns>
    public async Task<int> DeactivateIdleAsync(CancellationToken cancellationToken = default)
    {
        var cutoff = NowTicks - options.IdleTimeout.Ticks;
        var count = 0;
        foreach (var type in grainTypes.Values)
        {
            // Enumerating a ConcurrentDictionary is safe while calls add and remove entries.
            foreach (var (_, activation) in type.Activations)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return count;
                }
                // Cheap check without the lock first; TryDeactivateAsync checks again under it.
                if (Volatile.Read(ref activation.Pending) == 0
                    && Volatile.Read(ref activation.LastUsedTicks) <= cutoff
                    && await TryDeactivateAsync(type, activation, cutoff, cancellationToken).ConfigureAwait(false))
                {
                    count++;
                }
            }
        }
        return count;
    }

    /// <summary>
    /// Deactivates every activation, waiting for queued calls to finish first (shutdown, tests). Calls
    /// that keep arriving make new activations, which are deactivated in turn; the method returns when the
    /// directory is empty (or throws when <paramref name="cancellationToken"/> is cancelled).
    /// Do not call it from inside a grain turn: it would wait for that turn.
    /// </summary>
    public async Task DeactivateAllAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var any = false;
            foreach (var type in grainTypes.Values)
            {
                foreach (var (_, activation) in type.Activations)
                {
                    any = true;
                    Task? busy;
                    lock (activation)
                    {
                        // Queued calls, or a deactivation already under way: wait, then look again.
                        busy = activation.State == ActivationState.Removed ? null : activation.Tail;
                    }
                    if (busy is not null)
                    {
                        await busy.WaitAsync(cancellationToken).ConfigureAwait(false);
                        continue;
                    }
                    await TryDeactivateAsync(type, activation, long.MaxValue, cancellationToken).ConfigureAwait(false);
                }
            }
            if (!any)
            {
                return;
            }
        }
    }

    private GrainTypeInfo GetGrainType(Type grainInterface)
    {
        if (grainTypes.TryGetValue(grainInterface, out var type))
        {
            return type;
        }
        // Validated once, on first use. A failed validation is not cached, so it throws on every use.
        if (!implementations.TryGetValue(grainInterface, out var implementation))
        {
            throw new InvalidOperationException(
                $"No grain class is registered for {grainInterface.FullName}. Register one with services.AddGrain<{grainInterface.Name}, TGrain>().");
        }
        return grainTypes.GetOrAdd(grainInterface, GrainTypeInfo.Create(grainInterface, implementation));
    }

    // One call, from its arrival to its answer. T is the method's result type (object for a plain Task).
    internal async Task<T> CallAsync<T>(GrainTypeInfo type, string key, GrainMethod method, object?[] args)
    {
        ThrowIfReentrant(type, key, method);
        var turnDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (activation, previous) = Enqueue(type, key, turnDone.Task);
        var turn = new TurnContext(type, key, CurrentTurn.Value);
        try
        {
            if (previous is not null)
            {
                await previous.ConfigureAwait(false); // the previous turn (never faults)
            }
            // Set inside this async method, so it flows into the grain's code and is undone for our caller.
            CurrentTurn.Value = turn;
            return await RunTurnAsync<T>(type, activation, method, args).ConfigureAwait(false);
        }
        finally
        {
            turn.Active = false;
            EndTurn(type, activation);
            turnDone.SetResult(); // lets the next queued call start its turn
        }
    }

    // Appends a call to the activation for (type, key), making the activation when there is none.
    // Returns the activation and the task of the call before it (null: the activation is free).
    private (Activation Activation, Task? Previous) Enqueue(GrainTypeInfo type, string key, Task turnDone)
    {
        while (true)
        {
            var activation = type.Activations.GetOrAdd(
                key, static (k, runtime) => new Activation(k, runtime.NowTicks, initialTail: null), this);
            lock (activation)
            {
                switch (activation.State)
                {
                    case ActivationState.Active:
                        return (activation, Append(activation, turnDone));
                    case ActivationState.Deactivating:
                        // Queue on the activation that replaces this one. Its first turn waits for the
                        // deactivation (initial tail), so the new activation loads state written by
                        // OnDeactivateAsync, and calls keep their arrival order. Lock order: old, then new.
                        var successor = activation.Successor ??= new Activation(key, NowTicks, activation.Tail);
                        lock (successor)
                        {
                            return (successor, Append(successor, turnDone));
                        }
                    default:
                        // Removed from the directory after we read it: read the directory again.
                        break;
                }
            }
        }
    }

    private static Task? Append(Activation activation, Task turnDone)
    {
        var previous = activation.Tail;
        activation.Tail = turnDone;
        activation.Pending++;
        return previous;
    }

    private void EndTurn(GrainTypeInfo type, Activation activation)
    {
        lock (activation)
        {
            activation.LastUsedTicks = NowTicks;
            if (--activation.Pending > 0)
            {
                return;
            }
            activation.Tail = null; // idle: hold no task
            if (activation.Instance is null)
            {
                // Activation failed (or stale state was discarded) and nobody is queued: keep nothing.
                activation.State = ActivationState.Removed;
                type.Activations.TryRemove(new KeyValuePair<string, Activation>(activation.Key, activation));
            }
        }
    }

    // The body of a turn: activate when needed, run the call, reload and retry on stale state.
    private async Task<T> RunTurnAsync<T>(GrainTypeInfo type, Activation activation, GrainMethod method, object?[] args)
    {
        var cancellationToken = method.GetCancellationToken(args);
        for (var attempt = 0; ; attempt++)
        {
            var grain = activation.Instance ?? await ActivateAsync(type, activation, cancellationToken).ConfigureAwait(false);
            Task call;
            try
            {
                call = method.Invoke(grain, args);
                await call.ConfigureAwait(false);
            }
            catch (Exception e) when (options.IsStale(e))
            {
                if (attempt >= options.MaxStaleRetries)
                {
                    // The in-memory state is known to be stale: drop it; the next call loads afresh.
                    Discard(activation);
                    throw new GrainConflictException(
                        $"{type.Interface.Name} '{activation.Key}': {method.Name} met stale state {attempt + 1} times; gave up after {options.MaxStaleRetries} retries.",
                        e);
                }
                try
                {
                    await grain.OnActivateAsync(cancellationToken).ConfigureAwait(false); // reload
                }
                catch
                {
                    Discard(activation); // half-loaded state must not serve the next call
                    throw;
                }
                continue;
            }
            // Any other exception propagates to this caller only; the activation keeps its state.
            return method.HasResult ? ((Task<T>)call).Result : default!;
        }
    }

    private async Task<Grain> ActivateAsync(GrainTypeInfo type, Activation activation, CancellationToken cancellationToken)
    {
        var grain = (Grain)type.Factory(services, null);
        grain.Initialize(activation.Key, this);
        await grain.OnActivateAsync(cancellationToken).ConfigureAwait(false);
        // Only now is it an activation: if OnActivateAsync threw, nothing is kept.
        activation.Instance = grain;
        Interlocked.Increment(ref activationCount);
        return grain;
    }

    private void Discard(Activation activation)
    {
        activation.Instance = null;
        Interlocked.Decrement(ref activationCount);
    }

    // Deactivates an activation that is free and was last used at or before idleCutoffTicks.
    private async Task<bool> TryDeactivateAsync(
        GrainTypeInfo type, Activation activation, long idleCutoffTicks, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (activation)
        {
            if (activation.State != ActivationState.Active
                || activation.Pending > 0
                || activation.LastUsedTicks > idleCutoffTicks)
            {
                return false;
            }
            // From here no call can join this activation (Enqueue sends them to a successor), and none is
            // queued, so OnDeactivateAsync below runs as the activation's last turn.
            activation.State = ActivationState.Deactivating;
            activation.Tail = done.Task;
        }
        try
        {
            if (activation.Instance is { } grain)
            {
                var turn = new TurnContext(type, activation.Key, CurrentTurn.Value);
                CurrentTurn.Value = turn;
                try
                {
                    await grain.OnDeactivateAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    // One grain's failure must not stop the sweep or shutdown; the activation goes anyway.
                    logger.LogWarning(e, "OnDeactivateAsync failed for {GrainInterface} '{GrainKey}'.", type.Interface.Name, activation.Key);
                }
                finally
                {
                    turn.Active = false;
                }
                Discard(activation);
            }
        }
        finally
        {
            lock (activation)
            {
                activation.State = ActivationState.Removed;
                activation.Tail = null;
                if (activation.Successor is { } successor)
                {
                    // Calls arrived meanwhile: their activation takes this one's place, then they run.
                    type.Activations.TryUpdate(activation.Key, successor, activation);
                    activation.Successor = null;
                }
                else
                {
                    type.Activations.TryRemove(new KeyValuePair<string, Activation>(activation.Key, activation));
                }
            }
            done.SetResult();
        }
        return true;
    }

    private static void ThrowIfReentrant(GrainTypeInfo type, string key, GrainMethod method)
    {
        for (var turn = CurrentTurn.Value; turn is not null; turn = turn.Caller)
        {
            if (turn.Active && turn.Type == type && string.Equals(turn.Key, key, StringComparison.Ordinal))
            {
                throw new InvalidOperationException(
                    $"{type.Interface.Name} '{key}' was called ({method.Name}) from inside its own turn, directly or through other grains. " +
                    "Grain turns are not reentrant: the call would wait forever for the turn that is waiting for it. " +
                    "Call a private method instead, or restructure the calls so that they form no cycle.");
            }
        }
    }

    // One link of the chain of turns in an async flow. Active turns off when the turn ends, so work a
    // grain left running after its turn (fire and forget) is not refused later.
    private sealed class TurnContext(GrainTypeInfo type, string key, TurnContext? caller)
    {
        public GrainTypeInfo Type { get; } = type;
        public string Key { get; } = key;
        public TurnContext? Caller { get; } = caller;
        public volatile bool Active = true;
    }
}

internal enum ActivationState : byte
{
    Active,
    Deactivating,
    Removed,
}

/// <summary>
/// One grain type + key in this process. Kept deliberately small (about 70 bytes plus the grain and its
/// key): the domain keeps many thousand idle activations. Fields are guarded by <c>lock (activation)</c>
/// (the object is private to the runtime, so nobody else locks it); <see cref="Instance"/> is written
/// only inside turns.
/// </summary>
internal sealed class Activation(string key, long lastUsedTicks, Task? initialTail)
{
    public readonly string Key = key;

    /// <summary>The grain; null until OnActivateAsync succeeded, and after deactivation or a discard.</summary>
    public Grain? Instance;

    /// <summary>Completes when the last queued turn (or the deactivation) ends; null when idle.</summary>
    public Task? Tail = initialTail;

    /// <summary>The activation that receives calls arriving during deactivation.</summary>
    public Activation? Successor;

    public long LastUsedTicks = lastUsedTicks;

    /// <summary>Calls queued or running.</summary>
    public int Pending;

    public ActivationState State;
}

internal sealed record GrainRegistration(Type Interface, Type Implementation);

/// <summary>A validated grain interface, its class, and its activations.</summary>
internal sealed class GrainTypeInfo
{
    private readonly ConcurrentDictionary<MethodInfo, GrainMethod> methods = new();

    private GrainTypeInfo(Type grainInterface, ObjectFactory factory)
    {
        Interface = grainInterface;
        Factory = factory;
    }

    public Type Interface { get; }

    public ObjectFactory Factory { get; }

    public ConcurrentDictionary<string, Activation> Activations { get; } = new(StringComparer.Ordinal);

    public static GrainTypeInfo Create(Type grainInterface, Type implementation)
    {
        if (!grainInterface.IsInterface)
        {
            throw new InvalidOperationException($"{grainInterface.FullName} is not an interface; GetGrain takes a grain interface.");
        }
        var allMethods = grainInterface.GetMethods().Concat(grainInterface.GetInterfaces().SelectMany(i => i.GetMethods())).ToList();
        var problems = allMethods.Select(GrainMethod.Problem).OfType<string>().ToList();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(
                $"Grain interface {grainInterface.FullName} cannot be used: a grain method must return Task or Task<T> " +
                $"(a call is queued and answered later) and take no ref/out parameters. {string.Join(" ", problems)}");
        }
        // The constructor's services come from the root provider (singletons such as IDbContextFactory<T>).
        var type = new GrainTypeInfo(grainInterface, ActivatorUtilities.CreateFactory(implementation, Type.EmptyTypes));
        foreach (var method in allMethods.Where(m => !m.IsGenericMethodDefinition))
        {
            type.methods[method] = new GrainMethod(method);
        }
        return type;
    }

    // Generic methods arrive constructed (one MethodInfo per type argument), hence the lazy add.
    public GrainMethod GetMethod(MethodInfo method) => methods.GetOrAdd(method, static m => new GrainMethod(m));
}

/// <summary>One interface method: how to call it and how to start a call of it with the right result type.</summary>
internal sealed class GrainMethod
{
    private static readonly MethodInfo StartCallDefinition =
        typeof(GrainMethod).GetMethod(nameof(StartCall), BindingFlags.NonPublic | BindingFlags.Static)!;

    private readonly MethodInfo method;
    private readonly int cancellationTokenIndex;
    private readonly Func<GrainRuntime, GrainTypeInfo, string, GrainMethod, object?[], Task> start;

    public GrainMethod(MethodInfo method)
    {
        this.method = method;
        Name = $"{method.DeclaringType?.Name}.{method.Name}";
        HasResult = method.ReturnType.IsGenericType;
        var resultType = HasResult ? method.ReturnType.GetGenericArguments()[0] : typeof(object);
        start = StartCallDefinition.MakeGenericMethod(resultType)
            .CreateDelegate<Func<GrainRuntime, GrainTypeInfo, string, GrainMethod, object?[], Task>>();
        cancellationTokenIndex = Array.FindIndex(method.GetParameters(), p => p.ParameterType == typeof(CancellationToken));
    }

    public string Name { get; }

    public bool HasResult { get; }

    /// <summary>Why this method cannot be a grain method, or null.</summary>
    public static string? Problem(MethodInfo method)
    {
        var returnType = method.ReturnType;
        var returnsTask = returnType == typeof(Task)
            || (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>));
        var name = $"{method.DeclaringType?.Name}.{method.Name}";
        if (!returnsTask)
        {
            return $"{name} returns {returnType.Name}.";
        }
        return method.GetParameters().Any(p => p.ParameterType.IsByRef) ? $"{name} has a ref/out parameter." : null;
    }

    public Task Start(GrainRuntime runtime, GrainTypeInfo type, string key, object?[] args) => start(runtime, type, key, this, args);

    public CancellationToken GetCancellationToken(object?[] args) =>
        cancellationTokenIndex >= 0 && args[cancellationTokenIndex] is CancellationToken token ? token : CancellationToken.None;

    public Task Invoke(Grain grain, object?[] args) =>
        // DoNotWrapExceptions: a method that throws before returning its task throws its own exception.
        (Task?)method.Invoke(grain, BindingFlags.DoNotWrapExceptions, binder: null, args, culture: null)
        ?? throw new InvalidOperationException($"{Name} returned null instead of a Task.");

    private static Task StartCall<T>(GrainRuntime runtime, GrainTypeInfo type, string key, GrainMethod method, object?[] args) =>
        runtime.CallAsync<T>(type, key, method, args);
}

/// <summary>
/// A grain reference: the object GetGrain returns. Each interface call becomes a queued call on the
/// activation for (type, key). DispatchProxy generates the interface implementation at run time.
/// </summary>
internal class GrainReference : DispatchProxy
{
    private GrainRuntime? runtime;
    private GrainTypeInfo? type;
    private string key = string.Empty;

    internal void Bind(GrainRuntime grainRuntime, GrainTypeInfo grainType, string grainKey)
    {
        runtime = grainRuntime;
        type = grainType;
        key = grainKey;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (runtime is null || type is null)
        {
            throw new InvalidOperationException("Grain references are made by IGrainFactory.GetGrain.");
        }
        return type.GetMethod(targetMethod).Start(runtime, type, key, args ?? []);
    }

    public override string ToString() => $"{type?.Interface.Name}/{key}";
}
