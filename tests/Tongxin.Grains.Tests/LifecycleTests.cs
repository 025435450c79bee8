using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Tongxin.Grains.Tests;

public sealed class LifecycleTests
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task An_idle_activation_is_dropped_after_IdleTimeout_and_the_next_call_reloads_state()
    {
        await using var host = new TestHost(o => o.IdleTimeout = IdleTimeout);
        var grain = host.Grains.GetGrain<ICounterGrain>("child-1");
        await grain.Add(7);
        Assert.Equal(1, host.Runtime.ActivationCount);

        host.Clock.Advance(IdleTimeout - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await host.Runtime.DeactivateIdleAsync());
        Assert.Equal(1, host.Runtime.ActivationCount);

        host.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await host.Runtime.DeactivateIdleAsync());
        Assert.Equal(0, host.Runtime.ActivationCount);
        Assert.Equal(1, host.Recorder.Deactivations);

        Assert.Equal(7, await grain.Get());
        Assert.Equal(2, host.Recorder.Activations);
        Assert.Equal(["load child-1 0", "write child-1 7", "deactivate child-1", "deactivated child-1", "load child-1 7"], host.Recorder.Log);
    }

    [Fact]
    public async Task Each_call_restarts_the_idle_time()
    {
        await using var host = new TestHost(o => o.IdleTimeout = IdleTimeout);
        var grain = host.Grains.GetGrain<ICounterGrain>("child-1");
        await grain.Get();

        host.Clock.Advance(TimeSpan.FromMinutes(4));
        await grain.Get();
        host.Clock.Advance(TimeSpan.FromMinutes(4));

        Assert.Equal(0, await host.Runtime.DeactivateIdleAsync());
        Assert.Equal(1, host.Runtime.ActivationCount);
    }

    [Fact]
    public async Task An_activation_in_use_is_not_dropped()
    {
        await using var host = new TestHost(o => o.IdleTimeout = IdleTimeout);
        var grain = host.Grains.GetGrain<ICounterGrain>("child-1");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await grain.Get();
        var holding = grain.Hold(gate.Task);
        var queued = grain.Add(1);

        host.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, await host.Runtime.DeactivateIdleAsync());

        gate.SetResult();
        await holding;
        Assert.Equal(1, await queued);
        Assert.Equal(0, await host.Runtime.DeactivateIdleAsync()); // just used
        Assert.Equal(1, host.Runtime.ActivationCount);
        Assert.Equal(1, host.Recorder.Activations);
        Assert.Equal(0, host.Recorder.Deactivations);
    }

    [Fact]
    public async Task Calls_arriving_during_deactivation_run_once_each_on_a_fresh_activation_in_order()
    {
        await using var host = new TestHost(o => o.IdleTimeout = IdleTimeout);
        var grain = host.Grains.GetGrain<ICounterGrain>("child-1");
        await grain.Add(1);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Recorder.DeactivationGate = gate.Task;
        host.Clock.Advance(IdleTimeout);

        var deactivating = host.Runtime.DeactivateIdleAsync();
        await host.Recorder.DeactivationStarted.Task; // OnDeactivateAsync is running and waits for the gate
        var first = grain.Add(10);
        var second = grain.Add(100);
        Assert.False(first.IsCompleted);

        gate.SetResult();
        Assert.Equal(1, await deactivating);
        Assert.Equal(11, await first);
        Assert.Equal(111, await second);

        Assert.Equal(3, host.Recorder.Invocations);
        Assert.Equal(2, host.Recorder.Activations);
        Assert.Equal(1, host.Runtime.ActivationCount);
        // The new activation loaded only after the old one finished its last turn.
        Assert.Equal(
            ["load child-1 0", "write child-1 1", "deactivate child-1", "deactivated child-1", "load child-1 1", "write child-1 11", "write child-1 111"],
            host.Recorder.Log);
    }

    [Fact]
    public async Task Calls_racing_with_sweeps_are_neither_lost_nor_run_twice()
    {
        await using var host = new TestHost(o => o.IdleTimeout = TimeSpan.Zero); // every free activation is idle
        const int Callers = 4;
        const int CallsPerCaller = 200;
        using var stop = new CancellationTokenSource();
        var sweeps = 0;
        var sweptOnce = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sweeper = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                sweeps += await host.Runtime.DeactivateIdleAsync();
                if (sweeps > 0)
                {
                    sweptOnce.TrySetResult();
                }
            }
        });

        await Task.WhenAll(Enumerable.Range(0, Callers).Select(c => Task.Run(async () =>
        {
            for (var i = 0; i < CallsPerCaller; i++)
            {
                if (i == CallsPerCaller / 2)
                {
                    // Halfway, every caller waits until the sweeper has ended an activation, so that the
                    // second half surely races with activations coming back (on a busy machine the
                    // callers alone may keep both grains busy the whole time: a CI run saw no sweep).
                    await sweptOnce.Task.WaitAsync(TimeSpan.FromSeconds(10));
                }
                await host.Grains.GetGrain<ICounterGrain>($"child-{i % 2}").Add(1);
            }
        })));
        await stop.CancelAsync();
        await sweeper;

        // Each call wrote exactly once through a version check: any lost, repeated or overlapping
        // call (old and new activation at once) would show in the totals.
        Assert.Equal(Callers * CallsPerCaller, host.Recorder.Invocations);
        Assert.Equal(Callers * CallsPerCaller / 2, host.Store.Read("child-0").Value);
        Assert.Equal(Callers * CallsPerCaller / 2, host.Store.Read("child-1").Value);
        Assert.Equal(1, host.Recorder.MaxRunning);
        Assert.Equal(host.Recorder.Activations - host.Recorder.Deactivations, host.Runtime.ActivationCount);
        Assert.True(sweeps > 0, "the sweeper never caught an activation idle");
    }

    [Fact]
    public async Task ActivationCount_follows_activations_and_DeactivateAll_ends_them_all()
    {
        await using var host = new TestHost();
        for (var i = 0; i < 10; i++)
        {
            await host.Grains.GetGrain<ICounterGrain>($"child-{i}").Get();
        }
        await host.Grains.GetGrain<ICounterGrain>("child-0").Get(); // same activation
        Assert.Equal(10, host.Runtime.ActivationCount);

        await host.Runtime.DeactivateAllAsync();

        Assert.Equal(0, host.Runtime.ActivationCount);
        Assert.Equal(10, host.Recorder.Deactivations);
    }

    [Fact]
    public async Task DeactivateAll_waits_for_a_running_turn()
    {
        await using var host = new TestHost();
        var grain = host.Grains.GetGrain<ICounterGrain>("child-1");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = grain.Hold(gate.Task);

        var deactivating = host.Runtime.DeactivateAllAsync();
        Assert.False(deactivating.IsCompleted);
        gate.SetResult();
        await deactivating;
        await holding;

        Assert.Equal(0, host.Runtime.ActivationCount);
        Assert.Equal(1, host.Recorder.Deactivations);
    }

    [Fact]
    public async Task The_hosted_sweeper_drops_idle_activations_and_deactivates_the_rest_on_stop()
    {
        await using var host = new TestHost(o =>
        {
            o.IdleTimeout = IdleTimeout;
            o.SweepInterval = TimeSpan.FromSeconds(30);
        });
        var sweeper = Assert.Single(host.Services.GetServices<IHostedService>());
        await sweeper.StartAsync(CancellationToken.None);
        await host.Grains.GetGrain<ICounterGrain>("child-1").Get();
        await host.Clock.TimerCreated.WaitAsync(TimeSpan.FromSeconds(10));

        host.Clock.Advance(IdleTimeout); // the sweep timer fires on the manual clock
        await host.Recorder.Deactivated.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, host.Runtime.ActivationCount);

        await host.Grains.GetGrain<ICounterGrain>("child-2").Get();
        await sweeper.StopAsync(CancellationToken.None);
        Assert.Equal(0, host.Runtime.ActivationCount);
        Assert.Equal(2, host.Recorder.Deactivations);
    }
}
