using Tongxin.Host.Text;

namespace Tongxin.Host.Errors;

/// <summary>Bad input: 400 with field → messages. Thrown before anything is written.</summary>
public sealed class RequestValidationException(IReadOnlyDictionary<string, string[]> errors)
    : Exception("The request is not valid.")
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    public static RequestValidationException ForField(string field, string message) =>
        new(new Dictionary<string, string[]> { [field] = [message] });
}

/// <summary>Too many attempts (logins) or requests: 429, with when to try again.</summary>
public sealed class TooManyRequestsException(string detail, TimeSpan retryAfter) : Exception(detail)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>Wrong role or region: 403.</summary>
public sealed class AccessDeniedException(string detail) : Exception(detail);

/// <summary>Unknown, or not for this caller to know about: 404.</summary>
public sealed class NotFoundException(string detail) : Exception(detail)
{
    public static NotFoundException Child() => new(HostTexts.Local("notFound.child"));
}

/// <summary>Conflicts with current state (duplicate, stale version, capacity gone): 409.</summary>
public sealed class ConflictException(string detail, string? field = null) : Exception(detail)
{
    public string? Field { get; } = field;
}

/// <summary>A business rule refuses it (e.g. no guardian consent): 422, naming the field (or, for a bulk upload, each bad row).</summary>
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

    public IReadOnlyDictionary<string, string[]>? Errors { get; }
}
