using MediatR;

namespace Tongxin.Host.Providers;

/// <summary>A provider appeared, was vetted, or freed capacity on these lines in this county: matching should run.</summary>
public sealed record ProviderAvailable(string ProviderId, IReadOnlyList<string> Lines, string CountyCode) : INotification;
