using System.Security.Cryptography;
using System.Text;
using Tongxin.Host.Errors;
using Tongxin.Host.Text;

namespace Tongxin.Host.FieldWork;

/// <summary>
/// <c>FieldWork</c>: records made in the field (a director's call or home visit, a volunteer's session) may reach the host
/// days after they happened, from a phone that was out of signal (docs/adr/0023-offline-field-work.md).
/// </summary>
public sealed class FieldWorkOptions
{
    public const string Section = "FieldWork";

    /// <summary>How far back a record may be dated: a phone out of signal for a fortnight, not last year's visits.</summary>
    public int BackfillDays { get; set; } = 30;
}

/// <summary>
/// The rules every field record shares: how old it may be, and how a client's <c>Idempotency-Key</c> makes a retried
/// upload (a flaky connection, a queue sent twice) land once.
/// </summary>
public static class FieldRecords
{
    public const string IdempotencyHeader = "Idempotency-Key";
    public const int IdempotencyKeyMaxLength = 100;

    /// <summary>The header's value, or null when the client sent none (a record made online, as before); a key too long is bad input.</summary>
    public static string? IdempotencyKey(HttpRequest request)
    {
        var key = request.Headers[IdempotencyHeader].FirstOrDefault()?.Trim();
        if (string.IsNullOrEmpty(key))
        {
            return null;
        }
        return key.Length <= IdempotencyKeyMaxLength
            ? key
            : throw RequestValidationException.ForField(IdempotencyHeader, HostTexts.Local("field.tooLong", IdempotencyKeyMaxLength));
    }

    /// <summary>What identifies "the same record again": who sent it and every field, canonically written.</summary>
    public static string Hash(string userId, params object?[] fields)
    {
        var canonical = string.Join('\u001f', fields.Select(f => f is DateTime at ? at.ToUniversalTime().ToString("O") : f?.ToString() ?? "").Prepend(userId));
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    /// <summary>An earlier record under the same key is answered again only when it came with the same body: else 409 naming the header.</summary>
    public static void EnsureSameBody(string? earlierHash, string hash)
    {
        if (earlierHash != hash)
        {
            throw new ConflictException(HostTexts.Local("idempotency.otherBody"), IdempotencyHeader);
        }
    }

    /// <summary>A record dated before the window is refused (422 naming <c>at</c>): checked after the replay lookup, so a retry of a record accepted yesterday still gets its answer.</summary>
    public static void CheckNotTooOld(DateTime at, DateTime now, FieldWorkOptions options)
    {
        if (at.ToUniversalTime() < now.AddDays(-options.BackfillDays))
        {
            throw new RuleViolationException(HostTexts.Local("field.at.tooOld", options.BackfillDays), "at");
        }
    }
}
