using Microsoft.EntityFrameworkCore;
using Orleans;
using Tongxin.Host.Errors;
using Tongxin.Host.Persistence;

namespace Tongxin.Host.Audit;

/// <summary>
/// One append-only audit row: who did what to which record, when, and how it ended. It names the
/// record and the action, never the values (no names, notes or risk levels). It travels with a grain call that
/// changes the record, so the change and its row commit together on whichever host runs the grain
/// (<see cref="Grains.AuditRowFlow"/>).
/// </summary>
[GenerateSerializer]
public sealed record AuditEntry
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required DateTime At { get; init; }
    [Id(2)] public string? UserId { get; init; }
    [Id(3)] public string? Role { get; init; }
    [Id(4)] public required string Action { get; init; }
    [Id(5)] public required string SubjectType { get; init; }
    [Id(6)] public string? SubjectId { get; set; }
    [Id(7)] public required string Outcome { get; set; }
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
        ConflictException or DbUpdateConcurrencyException => Conflict,
        RuleViolationException or LineRuleException => Refused,
        _ => Failed,
    };
}
