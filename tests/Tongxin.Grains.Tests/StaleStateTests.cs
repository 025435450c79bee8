namespace Tongxin.Grains.Tests;

public sealed class StaleStateTests
{
    [Fact]
    public async Task A_write_that_lost_to_another_host_reloads_and_retries()
    {
        await using var host = new TestHost();
        var grain = host.Grains.GetGrain<ICounterGrain>("child-1");
        Assert.Equal(1, await grain.Add(1));

        host.Store.WriteElsewhere("child-1", 10); // another host wrote version 2

        Assert.Equal(11, await grain.Add(1));
        Assert.Equal(["load child-1 0", "write child-1 1", "write child-1 2", "load child-1 10", "write child-1 11"], host.Recorder.Log);
        Assert.Equal((11, 3), host.Store.Read("child-1"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Up_to_MaxStaleRetries_stale_writes_are_retried_with_a_reload_before_each(int staleWrites)
    {
        await using var host = new TestHost(o => o.MaxStaleRetries = 3);
        var grain = host.Grains.GetGrain<ICounterGrain>("child-1");
        await grain.Get();
        host.Recorder.StaleWritesToFail = staleWrites;

        Assert.Equal(1, await grain.Add(1));

        var expected = new List<string> { "load child-1 0" };
        for (var i = 0; i < staleWrites; i++)
        {
            expected.AddRange(["write child-1 1", "load child-1 0"]);
        }
        expected.Add("write child-1 1");
        Assert.Equal(expected, host.Recorder.Log);
        Assert.Equal(staleWrites + 1, host.Recorder.Invocations);
    }

    [Fact]
    public async Task More_stale_writes_than_MaxStaleRetries_give_a_conflict_to_the_caller()
    {
        await using var host = new TestHost(o => o.MaxStaleRetries = 3);
        var grain = host.Grains.GetGrain<ICounterGrain>("child-1");
        await grain.Get();
        host.Recorder.StaleWritesToFail = 4;

        var conflict = await Assert.ThrowsAsync<GrainConflictException>(() => grain.Add(1));

        Assert.IsType<StaleStateException>(conflict.InnerException);
        Assert.Contains("ICounterGrain 'child-1'", conflict.Message);
        Assert.Equal(4, host.Recorder.Invocations);
        Assert.Equal(4, host.Recorder.Log.Count(l => l.StartsWith("load", StringComparison.Ordinal))); // 1 + 3 reloads
        // The stale activation was dropped; the next call loads afresh and works.
        Assert.Equal(0, host.Runtime.ActivationCount);
        Assert.Equal(1, await grain.Add(1));
        Assert.Equal(1, host.Runtime.ActivationCount);
    }

    [Fact]
    public async Task The_host_decides_which_exceptions_mean_stale_state()
    {
        await using var host = new TestHost(o =>
        {
            o.MaxStaleRetries = 0;
            o.IsStale = e => e is StaleStateException || e.Message == "concurrency";
        });
        var grain = host.Grains.GetGrain<ICounterGrain>("child-1");

        var conflict = await Assert.ThrowsAsync<GrainConflictException>(() => grain.Fail("concurrency"));
        var other = await Assert.ThrowsAsync<InvalidOperationException>(() => grain.Fail("something else"));

        Assert.Equal("concurrency", conflict.InnerException!.Message);
        Assert.Equal("something else", other.Message);
    }
}
