using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Errors;
using Tongxin.Host.Persistence;

namespace Tongxin.Host.Audit;

/// <summary>
/// One append-only audit row: who did what to which record, when, and how it ended. It names the
/// record and the action, never the values (no names, notes or risk levels).
/// </summary>
public sealed record AuditEntry
{
    public required string Id { get; init; }
    public required DateTime At { get; init; }
    public string? UserId { get; init; }
    public string? Role { get; init; }
    public required string Action { get; init; }
    public required string SubjectType { get; init; }
    public string? SubjectId { get; set; }
    public required string Outcome { get; set; }
}

public static class AuditOutcomes
{
    public const string Done = "done";
    public const string Denied = "denied";
    public const string NotFound = "not-found";
    public const string Invalid = "invalid";
    public const string Conflict = "conflict";
    public const string Refused = "refused";
    public const string Failed = "failed";

    public static string From(Exception exception) => exception switch
    {
        AccessDeniedException => Denied,
        NotFoundException => NotFound,
        RequestValidationException => Invalid,
        ConflictException or DbUpdateConcurrencyException or Tongxin.Grains.GrainConflictException => Conflict,
        RuleViolationException => Refused,
        _ => Failed,
    };
}
