using Orleans;
using Tongxin.Host.Text;

namespace Tongxin.Host.Errors;

// The exceptions below that a grain may throw carry [GenerateSerializer]: Orleans sends them back to a caller on
// another host with their fields (a field name, a row's errors). Without it, only the message would cross.

/// <summary>Bad input: 400 with field → messages. Thrown before anything is written.</summary>
[GenerateSerializer]
public sealed class RequestValidationException(IReadOnlyDictionary<string, string[]> errors)
    : Exception("The request is not valid.")
{
    [Id(0)]
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    public static RequestValidationException ForField(string field, string message) =>
        new(new Dictionary<string, string[]> { [field] = [message] });
}

/// <summary>Too many attempts (logins) or requests: 429, with when to try again.</summary>
[GenerateSerializer]
public sealed class TooManyRequestsException(string detail, TimeSpan retryAfter) : Exception(detail)
{
    [Id(0)]
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>Wrong role or region: 403.</summary>
[GenerateSerializer]
public sealed class AccessDeniedException(string detail) : Exception(detail);

/// <summary>Unknown, or not for this caller to know about: 404.</summary>
[GenerateSerializer]
public sealed class NotFoundException(string detail) : Exception(detail)
{
    public static NotFoundException Child() => new(HostTexts.Local("notFound.child"));
}

/// <summary>Conflicts with current state (duplicate, stale version, capacity gone): 409.</summary>
[GenerateSerializer]
public sealed class ConflictException(string detail, string? field = null) : Exception(detail)
{
    [Id(0)]
    public string? Field { get; } = field;
}

/// <summary>A business rule refuses it (e.g. no guardian consent): 422, naming the field (or, for a bulk upload, each bad row).</summary>
[GenerateSerializer]
public sealed class RuleViolationException : Exception
{
    public RuleViolationException(string detail, string? field = null) : base(detail)
    {
        Errors = field is null ? null : new Dictionary<string, string[]> { [field] = [detail] };
    }

    public RuleViolationException(string detail, IReadOnlyDictionary<string, string[]> errors) : base(detail)
    {
        Errors = errors;
    }

    [Id(0)]
    public IReadOnlyDictionary<string, string[]>? Errors { get; }
}

/// <summary>
/// A part of the system is out of reach for a moment (the database, another host of the cluster that owned the
/// record): 503 with Retry-After. Nothing was acknowledged, so the client's retry, on any host, is safe.
/// </summary>
[GenerateSerializer]
public sealed class ServiceUnavailableException(string detail, TimeSpan retryAfter, Exception? inner = null) : Exception(detail, inner)
{
    [Id(0)]
    public TimeSpan RetryAfter { get; } = retryAfter;
}
