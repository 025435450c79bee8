namespace Tongxin.Grains.Tests;

public sealed class ErrorTests
{
    [Fact]
    public async Task An_exception_goes_to_its_caller_and_the_activation_keeps_its_state()
    {
        await using var host = new TestHost();
        var grain = host.Grains.GetGrain<ICounterGrain>("child-1");
        await grain.Add(5);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => grain.Fail("bad request"));

        Assert.Equal("bad request", error.Message);
        Assert.Equal(5, await grain.Get());
        Assert.Equal(6, await grain.Add(1));
        Assert.Equal(1, host.Recorder.Activations);
        Assert.Equal(1, host.Runtime.ActivationCount);
    }

    [Fact]
    public async Task An_exception_thrown_before_the_task_is_returned_is_not_wrapped()
    {
        await using var host = new TestHost();
        var grain = host.Grains.GetGrain<IEchoGrain>("x");

        var error = await Assert.ThrowsAsync<ArgumentException>(() => grain.ThrowsBeforeReturningTask());

        Assert.Equal("thrown synchronously", error.Message);
        Assert.Equal(42, await grain.Echo(42));
        Assert.Equal("text", await grain.Echo("text"));
    }

    [Fact]
    public async Task A_failed_activation_reaches_the_caller_and_keeps_nothing()
    {
        await using var host = new TestHost();
        var grain = host.Grains.GetGrain<ICounterGrain>("child-1");
        host.Recorder.FailActivation = true;

        var first = Assert.ThrowsAsync<InvalidOperationException>(() => grain.Add(1));
        var second = Assert.ThrowsAsync<InvalidOperationException>(() => grain.Add(1));
        Assert.Equal("database unavailable", (await first).Message);
        Assert.Equal("database unavailable", (await second).Message);

        Assert.Equal(0, host.Runtime.ActivationCount);
        Assert.Equal(0, host.Recorder.Invocations);

        host.Recorder.FailActivation = false;
        Assert.Equal(1, await grain.Add(1));
        Assert.Equal(1, host.Runtime.ActivationCount);
        Assert.Equal(1, host.Recorder.Activations);
    }

    [Fact]
    public async Task An_interface_with_a_method_not_returning_a_task_is_refused_with_its_name()
    {
        await using var host = new TestHost();

        var error = Assert.Throws<InvalidOperationException>(() => host.Grains.GetGrain<IBadGrain>("x"));

        Assert.Contains("IBadGrain.Count returns Int32", error.Message);
        Assert.Contains("Task or Task<T>", error.Message);
        Assert.DoesNotContain("Fine", error.Message);
        // Still refused on the next use.
        Assert.Throws<InvalidOperationException>(() => host.Grains.GetGrain<IBadGrain>("y"));
    }

    [Fact]
    public async Task An_unregistered_interface_is_refused_with_a_hint()
    {
        await using var host = new TestHost();

        var error = Assert.Throws<InvalidOperationException>(() => host.Grains.GetGrain<IUnregisteredGrain>("x"));

        Assert.Contains("AddGrain<IUnregisteredGrain, TGrain>", error.Message);
    }

    public interface IUnregisteredGrain : IGrainWithStringKey
    {
        Task Ping();
    }
}
