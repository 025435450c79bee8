using Orleans;

namespace Tongxin.Host.Errors;

/// <summary>Wrong user name or password: 401.</summary>
[GenerateSerializer]
public sealed class UnauthenticatedException(string detail) : Exception(detail);
