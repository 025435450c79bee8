using Xunit.Abstractions;

namespace Tongxin.Grains.Tests;

[CollectionDefinition(nameof(MemoryTests), DisableParallelization = true)]
public sealed class MemoryCollection;

/// <summary>
/// Bytes per idle activation (grain object, its small state record, its key, the runtime's bookkeeping
/// and directory entry). Runs alone so that other tests' allocations do not blur the figure.
/// Measures memory only; nothing is timed.
/// </summary>
[Collection(nameof(MemoryTests))]
public sealed class MemoryTests(ITestOutputHelper output)
{
    private const int Count = 100_000;

    [Fact]
    public async Task An_idle_activation_costs_little_memory()
    {
        await using var host = new TestHost();
        await host.Grains.GetGrain<IChildLikeGrain>("warm-up").Age(); // type validation, caches
        await host.Runtime.DeactivateAllAsync();
        var before = MeasuredHeap();

        for (var i = 0; i < Count; i++)
        {
            await host.Grains.GetGrain<IChildLikeGrain>($"child-{i:D6}").Age();
        }
        var after = MeasuredHeap();
        Assert.Equal(Count, host.Runtime.ActivationCount);
        var perActivation = (after - before) / (double)Count;

        await host.Runtime.DeactivateAllAsync();
        var afterDrop = MeasuredHeap();
        var leftPerActivation = (afterDrop - before) / (double)Count;

        var report = $"{Count:N0} idle activations: {perActivation:F0} bytes each; after deactivating all: {leftPerActivation:F0} bytes each remain (directory buckets).";
        output.WriteLine(report);
        Console.WriteLine(report);
        Assert.Equal(0, host.Runtime.ActivationCount);
        Assert.True(perActivation < 8 * 1024, report);
        Assert.True(leftPerActivation < 256, report);
        GC.KeepAlive(host);
    }

    private static long MeasuredHeap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
