namespace Tongxin.Grains.Tests;

public sealed class TurnTests
{
    [Fact]
    public async Task Calls_to_one_key_run_one_at_a_time_in_arrival_order()
    {
        await using var host = new TestHost();
        var grain = host.Grains.GetGrain<ITurnGrain>("child-1");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // The first call holds its turn until the gate opens, so the other 99 are all queued behind it.
        var calls = Enumerable.Range(0, 100).Select(i => grain.Run(i, gate.Task)).ToList();
        gate.SetResult();
        await Task.WhenAll(calls);

        var expected = Enumerable.Range(0, 100).SelectMany(i => new[] { $"enter {i}", $"exit {i}" });
        Assert.Equal(expected, host.Recorder.Log);
        Assert.Equal(1, host.Recorder.MaxRunning);
    }

    [Fact]
    public async Task Calls_from_many_threads_never_overlap()
    {
        await using var host = new TestHost();
        var grain = host.Grains.GetGrain<ICounterGrain>("child-1");

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                await grain.Add(1);
            }
        })));

        Assert.Equal(400, await grain.Get());
        Assert.Equal(1, host.Recorder.MaxRunning);
        Assert.Equal((400, 400), host.Store.Read("child-1"));
    }

    [Fact]
    public async Task Different_keys_run_concurrently()
    {
        await using var host = new TestHost();
        var a = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var b = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Each turn waits for the other key's turn to have started: only possible if they overlap.
        await Task.WhenAll(
            host.Grains.GetGrain<ITurnGrain>("child-a").Meet(a, b.Task),
            host.Grains.GetGrain<ITurnGrain>("child-b").Meet(b, a.Task));
    }

    [Fact]
    public async Task A_grain_calls_other_grains_inside_its_turn()
    {
        await using var host = new TestHost();

        var path = await host.Grains.GetGrain<IHopGrain>("a").Hop(["b", "c"], 0);

        Assert.Equal("a>b>c", path);
    }

    [Fact]
    public async Task A_grain_calling_itself_gets_a_clear_error_instead_of_hanging()
    {
        await using var host = new TestHost();
        var grain = host.Grains.GetGrain<IHopGrain>("a");

        var self = await Assert.ThrowsAsync<InvalidOperationException>(() => grain.Hop(["a"], 0));
        var cycle = await Assert.ThrowsAsync<InvalidOperationException>(() => grain.Hop(["b", "a"], 0));

        Assert.Contains("IHopGrain 'a'", self.Message);
        Assert.Contains("its own turn", self.Message);
        Assert.Contains("its own turn", cycle.Message);
        // The activations survived the refused calls.
        Assert.Equal("a>b", await grain.Hop(["b"], 0));
    }

    [Fact]
    public async Task Calls_in_sequence_after_a_turn_ended_are_not_taken_for_self_calls()
    {
        await using var host = new TestHost();
        var grain = host.Grains.GetGrain<IHopGrain>("a");

        // Same async flow, one call after the other: the first turn has ended.
        Assert.Equal("a", await grain.Hop([], 0));
        Assert.Equal("a", await grain.Hop([], 0));
    }

    [Fact]
    public async Task Cancellation_tokens_are_passed_to_the_grain()
    {
        await using var host = new TestHost();
        var grain = host.Grains.GetGrain<ICounterGrain>("child-1");
        using var cancellation = new CancellationTokenSource();

        Assert.True(await grain.SeesCancellableToken(cancellation.Token));
        Assert.False(await grain.SeesCancellableToken(CancellationToken.None));

        var waiting = grain.WaitUntilCancelled(cancellation.Token);
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(1, await grain.Add(1));
    }
}
