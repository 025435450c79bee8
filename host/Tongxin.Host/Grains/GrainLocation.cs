using Orleans;
using Orleans.Concurrency;

namespace Tongxin.Host.Grains;

/// <summary>Where a grain's one activation lives: which host (silo) and which activation. For operators, and the cluster's tests.</summary>
[GenerateSerializer, Immutable]
public sealed record GrainLocation([property: Id(0)] string Silo, [property: Id(1)] string ActivationId)
{
    public static GrainLocation Of(Orleans.Runtime.IGrainContext activation) =>
        new(activation.Address.SiloAddress?.ToString() ?? "", activation.ActivationId.ToString());
}

/// <summary>A grain that can say where it lives (implemented once, by <see cref="VersionedGrain"/>).</summary>
public interface ILocatableGrain : IGrainWithStringKey
{
    [ReadOnly]
    Task<GrainLocation> LocateAsync();
}
