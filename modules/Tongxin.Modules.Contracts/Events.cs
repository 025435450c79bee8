using MediatR;

namespace Tongxin.Modules.Contracts;

// Domain events, published by the host as MediatR notifications after the change is saved. A module
// reacts with an INotificationHandler<T> in its assembly (the host finds and registers it); the host never needs to
// know it. Ids only: a handler that needs more reads it with the caller's rights, never from the event.

/// <summary>A child director asked for help on a line.</summary>
public sealed record NeedRequested(string NeedId, string ChildId, string Line, string CountyCode) : INotification;

/// <summary>Matching offered a provider for a need.</summary>
public sealed record OfferMade(string OfferId, string NeedId, string ProviderId, string Line, int Score) : INotification;

/// <summary>A provider accepted: a pairing began.</summary>
public sealed record PairingAccepted(string PairingId, string NeedId, string ChildId, string ProviderId, string Line) : INotification;

/// <summary>A pairing ended with a reason; the provider's capacity is free again.</summary>
public sealed record PairingEnded(string PairingId, string ProviderId, string Line, string CountyCode) : INotification;
