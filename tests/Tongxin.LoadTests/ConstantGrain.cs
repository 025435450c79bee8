using Orleans;
using Orleans.Concurrency;

namespace Tongxin.LoadTests;

/// <summary>
/// The peer of the child grain in <c>grain-calls</c>: a grain that answers a constant, so its calls cost only what
/// Orleans and the silo's own call filters (faults, culture, audit flow: they apply to every grain) cost. What the
/// child grain costs beyond it is ours.
/// </summary>
public interface IConstantGrain : IGrainWithStringKey
{
    [ReadOnly]
    Task<int> GetAsync();
}

internal sealed class ConstantGrain : Grain, IConstantGrain
{
    public Task<int> GetAsync() => Task.FromResult(42);
}
