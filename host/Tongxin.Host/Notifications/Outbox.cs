using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;
using Tongxin.Host.Regions;

namespace Tongxin.Host.Notifications;

/// <summary>What someone must hear of (issue 17). The key names the text (<c>notification.&lt;event&gt;</c> in texts.json).</summary>
public static class NotificationEvents
{
    public const string OfferMade = "offer.made";
    public const string OfferAccepted = "offer.accepted";
    public const string OfferDeclined = "offer.declined";
    public const string NeedEscalatedToTown = "need.escalated.town";
    public const string NeedEscalatedToCounty = "need.escalated.county";
    public const string ConcernRaised = "concern.raised";
    public const string ConcernEscalated = "concern.escalated";
    public const string ConcernStep = "concern.step";
    public const string ContactOverdue = "contact.overdue";
    public const string LedgerDue = "report.ledger.due";
    public const string AnnualReportDue = "report.annual.due";
    public const string ContractNearlyUsed = "contract.nearly-used";
    public const string ContractEnding = "contract.ending";

    public static readonly IReadOnlyList<string> All =
    [
        OfferMade, OfferAccepted, OfferDeclined, NeedEscalatedToTown, NeedEscalatedToCounty, ConcernRaised, ConcernEscalated, ConcernStep,
        ContactOverdue, LedgerDue, AnnualReportDue, ContractNearlyUsed, ContractEnding,
    ];
}

/// <summary>
/// The values a notification's text may carry. Deliberately few: a child's given name at most (never the family name,
/// birth date, risk, situation or a concern's details), the service line, a step's name.
/// </summary>
public sealed record NotificationArgs(string? Line = null, string? GivenName = null, string? Step = null, int? Count = null);

/// <summary>
/// Writes notifications into the caller's unit of work: they commit with the change they tell of, or not at all
/// (the outbox pattern). Nothing here sends anything.
/// </summary>
internal static class Outbox
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public static void Add(TongxinDbContext db, IEnumerable<string> userIds, string evt, string link, NotificationArgs args, DateTime now)
    {
        var argsJson = Serialize(args);
        foreach (var userId in userIds.Distinct(StringComparer.Ordinal))
        {
            db.Notifications.Add(new Notification { Id = Ids.New(), UserId = userId, Event = evt, Link = link, ArgsJson = argsJson, CreatedAt = now });
        }
    }

    public static string Serialize(NotificationArgs args) => JsonSerializer.Serialize(args, Json);

    public static NotificationArgs ReadArgs(string json) => JsonSerializer.Deserialize<NotificationArgs>(json, Json) ?? new NotificationArgs();
}

/// <summary>Who hears of what: the accounts behind a provider, a village's directors, a town's supervisors, a county's civil affairs.</summary>
internal static class NotificationRecipients
{
    /// <summary>A volunteer's own account; a programme's or organisation's accounts (its staff who answer offers).</summary>
    public static async Task<Dictionary<string, List<string>>> OfProvidersAsync(TongxinDbContext db, IReadOnlyCollection<string> providerIds, CancellationToken cancellationToken)
    {
        var providers = await db.Providers.AsNoTracking().Where(p => providerIds.Contains(p.Id))
            .Select(p => new { p.Id, p.UserId, p.OrganisationId }).ToListAsync(cancellationToken);
        var organisations = providers.Where(p => p.UserId is null && p.OrganisationId is not null).Select(p => p.OrganisationId!).Distinct().ToList();
        var staff = organisations.Count == 0 ? [] : await db.Users.AsNoTracking()
            .Where(u => u.Active && u.OrganisationId != null && organisations.Contains(u.OrganisationId) && (u.Role == Role.ProgrammeOwner || u.Role == Role.SocialWorkOrg))
            .Select(u => new { u.Id, u.OrganisationId }).ToListAsync(cancellationToken);
        return providers.ToDictionary(p => p.Id, p => p.UserId is not null
            ? [p.UserId]
            : staff.Where(s => s.OrganisationId == p.OrganisationId).Select(s => s.Id).ToList());
    }

    /// <summary>The child directors of the village a region path ends in.</summary>
    public static Task<List<string>> DirectorsAsync(TongxinDbContext db, string villagePath, CancellationToken cancellationToken) =>
        db.Users.AsNoTracking().Where(u => u.Active && u.Role == Role.ChildDirector && u.RegionPath == villagePath).Select(u => u.Id).ToListAsync(cancellationToken);

    /// <summary>The supervisors of the path's town, with <paramref name="andCounty"/> civil affairs of its county too.</summary>
    public static Task<List<string>> TownAsync(TongxinDbContext db, string path, bool andCounty, CancellationToken cancellationToken)
    {
        var townPath = $"/{RegionPaths.County(path)}/{RegionPaths.Town(path)}/";
        var countyPath = $"/{RegionPaths.County(path)}/";
        return db.Users.AsNoTracking()
            .Where(u => u.Active && ((u.Role == Role.Supervisor && u.RegionPath == townPath) || (andCounty && u.Role == Role.CivilAffairs && u.RegionPath == countyPath)))
            .Select(u => u.Id).ToListAsync(cancellationToken);
    }

    /// <summary>Civil affairs of the path's county.</summary>
    public static Task<List<string>> CountyAsync(TongxinDbContext db, string path, CancellationToken cancellationToken)
    {
        var countyPath = $"/{RegionPaths.County(path)}/";
        return db.Users.AsNoTracking().Where(u => u.Active && u.Role == Role.CivilAffairs && u.RegionPath == countyPath).Select(u => u.Id).ToListAsync(cancellationToken);
    }
}
