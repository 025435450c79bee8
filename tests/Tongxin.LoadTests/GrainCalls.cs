using System.Diagnostics;
using System.Runtime;
using Tongxin.Host.Grains;

namespace Tongxin.LoadTests;

/// <summary>
/// In-process grain calls a second: the host's own services and silo in this process (<see cref="InProcessSilo"/>),
/// <c>callers</c> concurrent tasks, each calling a read-only method of a grain and the next as soon as it returns, for
/// a fixed time. Half of the calls go to eight hot children, the other half spread over every child. The child
/// grain's <see cref="IChildGrain.ReadFileAsync"/> and a grain that answers a constant (<see cref="IConstantGrain"/>,
/// the same keys and callers) take turns, A B A B, so drift on a shared machine falls on both. Goal (issue 14): at
/// least 200,000 calls a second on the child grain.
/// </summary>
internal static class GrainCalls
{
    private const int Goal = 200_000;
    private const int HotChildren = 8;
    private const int Rounds = 2;

    public static async Task<int> RunAsync(TimeSpan duration, int callers, int children)
    {
        await using var silo = await InProcessSilo.StartAsync(children);
        // References made once: a call is then only the call, as a host's hot path would hold its grain reference.
        var childGrains = silo.ChildIds.Select(id => silo.Grains.GetGrain<IChildGrain>(id)).ToArray();
        var constantGrains = silo.ChildIds.Select(id => silo.Grains.GetGrain<IConstantGrain>(id)).ToArray();
        Func<int, Task> child = k => childGrains[k].ReadFileAsync();
        Func<int, Task> constant = k => constantGrains[k].GetAsync();

        // Every grain active first (each child's loads its file): then only calls are measured. Then a warm-up long
        // enough for tiered compilation to promote the hot paths: after 3 s of each, profiles of the first measured run
        // still showed a tenth of the time in the JIT and instrumented code.
        await silo.ActivateEveryChildAsync();
        await Task.WhenAll(constantGrains.Select(g => g.GetAsync()));
        for (var warmUp = 0; warmUp < 2; warmUp++)
        {
            await MeasureAsync("warm-up", callers, TimeSpan.FromSeconds(4), children, child);
            await MeasureAsync("warm-up", callers, TimeSpan.FromSeconds(4), children, constant);
        }
        await Task.Delay(TimeSpan.FromSeconds(1));

        var childRuns = new List<CallsResult>();
        var constantRuns = new List<CallsResult>();
        for (var round = 0; round < Rounds; round++)
        {
            childRuns.Add(await MeasureAsync("IChildGrain.ReadFileAsync", callers, duration, children, child));
            constantRuns.Add(await MeasureAsync("IConstantGrain.GetAsync (peer)", callers, duration, children, constant));
        }

        Console.WriteLine();
        Console.WriteLine($"grain calls in process: {children} children ({HotChildren} hot), {callers} callers, {duration.TotalSeconds:F0} s a run, " +
            $"{(GCSettings.IsServerGC ? "server" : "workstation")} GC, {Environment.ProcessorCount} cores");
        foreach (var run in childRuns.Zip(constantRuns).SelectMany(pair => new[] { pair.First, pair.Second }))
        {
            Console.WriteLine(run);
        }
        var ours = Phase.Median(childRuns.Select(r => r.PerSecond));
        var peer = Phase.Median(constantRuns.Select(r => r.PerSecond));
        Console.WriteLine($"child grain {ours:F0} calls/s, constant grain {peer:F0} calls/s (medians): ours/peer = {ours / peer:F2}; goal ≥ {Goal:N0} on the child grain: {(ours >= Goal ? "met" : "not met")}");
        return 0;
    }

    private static async Task<CallsResult> MeasureAsync(string name, int callers, TimeSpan duration, int keys, Func<int, Task> call)
    {
        Phase.Started(name, $"{callers} callers for {duration.TotalSeconds:F0} s");
        var counts = new long[callers];
        var stop = false;
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes();
        var collectionsBefore = GC.CollectionCount(0);
        var start = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, callers).Select(c => Task.Run(async () =>
        {
            // Each caller walks its own sequence: even calls to a hot child, odd ones spread over all of them
            // (a multiplicative hash of the call number, so neighbouring calls land far apart).
            var n = 0L;
            while (!Volatile.Read(ref stop))
            {
                var k = (n & 1) == 0 ? (int)((n / 2 + c) % HotChildren) : (int)((ulong)(n * 2654435761L + c * 40503L) % (ulong)keys);
                await call(k);
                n++;
            }
            counts[c] = n;
        })).ToArray();
        await Task.Delay(duration);
        Volatile.Write(ref stop, true);
        await Task.WhenAll(workers);
        var wall = Stopwatch.GetElapsedTime(start);
        process.Refresh();
        var calls = counts.Sum();
        return new CallsResult(name, calls, wall.TotalSeconds, (process.TotalProcessorTime - cpuBefore) / wall,
            (GC.GetTotalAllocatedBytes() - allocatedBefore) / (double)calls, GC.CollectionCount(0) - collectionsBefore);
    }

    private sealed record CallsResult(string Name, long Calls, double Seconds, double Cores, double BytesPerCall, int Gen0Collections)
    {
        public double PerSecond => Calls / Seconds;

        public override string ToString() =>
            $"{Name,-32} {Calls,10} calls in {Seconds:F1} s = {PerSecond,9:F0} calls/s   cpu {Cores:F2} cores = {Cores * 1_000_000 / PerSecond:F2} µs/call   {BytesPerCall:F0} B allocated/call   {Gen0Collections} gen-0 collections";
    }
}
