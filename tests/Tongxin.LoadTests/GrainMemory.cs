using System.Diagnostics;
using Orleans;
using Orleans.Runtime;

namespace Tongxin.LoadTests;

/// <summary>
/// Memory per idle child grain, with the file it holds: the host's own services in process (no HTTP), a SQLite file
/// with <c>count</c> children, every child's grain activated once (each loads its file from the database on
/// activation and keeps it), then the managed heap measured after full collections. Target (issue 7): under 4 KiB
/// per idle child grain.
/// </summary>
internal static class GrainMemory
{
    public static async Task<int> RunAsync(int count)
    {
        await using var silo = await InProcessSilo.StartAsync(count);
        var before = Settle();
        var watch = Stopwatch.StartNew();
        var withTheirFile = await silo.ActivateEveryChildAsync();
        watch.Stop();
        var after = Settle();
        var activations = (await silo.Grains.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics())
            .Where(s => s.GrainType.Contains("ChildGrain", StringComparison.Ordinal)).Sum(s => s.ActivationCount);
        var perGrain = (after - before) / (double)activations;
        Console.WriteLine($"grains: {activations} idle child grains activated in {watch.Elapsed.TotalSeconds:F1} s, {withTheirFile} of {count} holding their own file; " +
            $"managed heap +{(after - before) / 1024.0 / 1024.0:F1} MiB = {perGrain:F0} bytes per idle child grain with its file (target < 4096)");
        // A grain that did not load its file would look cheap: then the figure does not count.
        return perGrain < 4096 && activations == count && withTheirFile == count ? 0 : 1;
    }

    private static long Settle()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
