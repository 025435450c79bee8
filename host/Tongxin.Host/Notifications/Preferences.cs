using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using Tongxin.Host.Identity;
using Tongxin.Host.Modules;
using Tongxin.Host.Persistence;
using Tongxin.Host.Requests;
using Tongxin.Host.Text;

namespace Tongxin.Host.Notifications;

/// <summary>
/// Who may turn what off. Every event goes by every channel the user has an address for, unless turned off; the app's
/// inbox is always on; a concern cannot be switched off for the staff who must act on it (the town's supervisors and
/// civil affairs): the source documents want it to reach them at once.
/// </summary>
public static class NotificationRules
{
    private static readonly string[] Concerns = [NotificationEvents.ConcernRaised, NotificationEvents.ConcernEscalated];

    public static bool Locked(Role role, string evt, string channel) =>
        channel == NotificationChannels.App || (role is Role.Supervisor or Role.CivilAffairs && Concerns.Contains(evt));

    /// <summary>The events a role can receive: the only ones its settings page lists.</summary>
    public static IReadOnlyList<string> EventsFor(Role role) => role switch
    {
        Role.Volunteer => [NotificationEvents.OfferMade, NotificationEvents.ConcernStep],
        Role.ProgrammeOwner => [NotificationEvents.OfferMade, NotificationEvents.ConcernStep],
        Role.SocialWorkOrg => [NotificationEvents.OfferMade, NotificationEvents.ContractNearlyUsed, NotificationEvents.ContractEnding, NotificationEvents.ConcernStep],
        Role.ChildDirector => [NotificationEvents.OfferAccepted, NotificationEvents.OfferDeclined, NotificationEvents.ContactOverdue, NotificationEvents.ConcernStep],
        Role.Supervisor =>
        [
            NotificationEvents.NeedEscalatedToTown, NotificationEvents.ConcernRaised, NotificationEvents.ConcernEscalated, NotificationEvents.ConcernStep,
            NotificationEvents.LedgerDue, NotificationEvents.AnnualReportDue,
        ],
        Role.CivilAffairs =>
        [
            NotificationEvents.NeedEscalatedToCounty, NotificationEvents.ConcernRaised, NotificationEvents.ConcernEscalated, NotificationEvents.ConcernStep,
            NotificationEvents.ContractNearlyUsed, NotificationEvents.ContractEnding,
        ],
        _ => [],
    };
}

/// <summary><c>GET /api/notifications/preferences</c>: the caller's settings per event and channel, and where SMS and mail go.</summary>
[AllowedRoles(Role.Admin, Role.CivilAffairs, Role.Supervisor, Role.ChildDirector, Role.ProgrammeOwner, Role.SocialWorkOrg, Role.Volunteer)]
[NotAudited("The caller's own notification settings and contact details.")]
public sealed record GetNotificationPreferences : IRequest<NotificationSettings>;

/// <summary>
/// <c>PUT /api/notifications/preferences</c> <c>{ items: [{ event, channel, enabled }], phone?, email? }</c>: the caller's
/// own settings; a new phone number or mail address clears its earlier failure. Unknown event or channel: 400 naming it.
/// </summary>
[AllowedRoles(Role.Admin, Role.CivilAffairs, Role.Supervisor, Role.ChildDirector, Role.ProgrammeOwner, Role.SocialWorkOrg, Role.Volunteer)]
public sealed record SaveNotificationPreferences(IReadOnlyList<PreferenceChange>? Items, string? Phone, string? Email) : IRequest<NotificationSettings>, IAuditedRequest
{
    // The caller's own contact details change: kept in the audit log like other account changes.
    string IAuditedRequest.AuditAction => "notification.preferences";
    string IAuditedRequest.AuditSubjectType => "user";
    string? IAuditedRequest.AuditSubjectId => null;
}

public sealed record PreferenceChange(string? Event, string? Channel, bool? Enabled);

/// <param name="Locked">Cannot be turned off (the inbox; a concern for the staff who act on it).</param>
public sealed record PreferenceItem(string Event, string Label, string Channel, bool Enabled, bool Locked);

/// <param name="Channels">The channels this deployment has (SMS and mail only when configured).</param>
public sealed record NotificationSettings(
    IReadOnlyList<PreferenceItem> Items, IReadOnlyList<string> Channels, string? Phone, string? Email, string? PhoneFailure, string? EmailFailure);

internal sealed class SaveNotificationPreferencesValidator : AbstractValidator<SaveNotificationPreferences>
{
    public SaveNotificationPreferencesValidator()
    {
        RuleForEach(r => r.Items).ChildRules(item =>
        {
            item.RuleFor(i => i.Event).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"))
                .Must(e => NotificationEvents.All.Contains(e)).WithMessage(i => HostTexts.Local("notification.event.unknown", i.Event ?? "", string.Join(", ", NotificationEvents.All)));
            item.RuleFor(i => i.Channel).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"))
                .Must(c => NotificationChannels.All.Contains(c)).WithMessage(i => HostTexts.Local("notification.channel.unknown", i.Channel ?? "", string.Join(", ", NotificationChannels.All)));
            item.RuleFor(i => i.Enabled).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"));
        }).OverridePropertyName("items");
        RuleFor(r => r.Phone).Must(p => Users.ImportAccountsHandler.MobileNumber().IsMatch(p!)).When(r => !string.IsNullOrEmpty(r.Phone))
            .WithMessage(_ => HostTexts.Local("import.account.phone"));
        RuleFor(r => r.Email).Must(e => e!.Length <= 254 && MailboxAddress.TryParse(e, out var m) && m.Address == e && e.Contains('@'))
            .When(r => !string.IsNullOrEmpty(r.Email)).WithMessage(_ => HostTexts.Local("notification.email.format"));
    }
}

internal sealed class NotificationSettingsReader(TongxinDbContext db, IEnumerable<INotificationChannel> channels)
{
    public async Task<NotificationSettings> ReadAsync(UserAccount user, CancellationToken cancellationToken)
    {
        var off = (await db.NotificationPreferences.AsNoTracking().Where(p => p.UserId == user.Id && !p.Enabled).ToListAsync(cancellationToken))
            .Select(p => (p.Event, p.Channel)).ToHashSet();
        var available = new[] { NotificationChannels.App }.Concat(channels.Select(c => c.Name)).ToList();
        var items = NotificationRules.EventsFor(user.Role)
            .SelectMany(e => available.Select(c =>
            {
                var locked = NotificationRules.Locked(user.Role, e, c);
                return new PreferenceItem(e, HostTexts.Local($"notification.event.{e}"), c, locked || !off.Contains((e, c)), locked);
            }))
            .ToList();
        return new NotificationSettings(items, available, user.Phone, user.Email, user.PhoneFailure, user.EmailFailure);
    }
}

internal sealed class GetNotificationPreferencesHandler(TongxinDbContext db, ICallerAccessor callers, NotificationSettingsReader reader)
    : IRequestHandler<GetNotificationPreferences, NotificationSettings>
{
    public async Task<NotificationSettings> Handle(GetNotificationPreferences request, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == callers.Current!.UserId, cancellationToken);
        return await reader.ReadAsync(user, cancellationToken);
    }
}

internal sealed class SaveNotificationPreferencesHandler(TongxinDbContext db, ICallerAccessor callers, NotificationSettingsReader reader)
    : IRequestHandler<SaveNotificationPreferences, NotificationSettings>
{
    public async Task<NotificationSettings> Handle(SaveNotificationPreferences request, CancellationToken cancellationToken)
    {
        var user = await db.Users.SingleAsync(u => u.Id == callers.Current!.UserId, cancellationToken);
        var items = request.Items ?? [];
        var errors = new Dictionary<string, string[]>();
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            if (item.Enabled == false && NotificationRules.Locked(user.Role, item.Event!, item.Channel!))
            {
                errors[$"items[{i}].enabled"] = [HostTexts.Local(item.Channel == NotificationChannels.App ? "notification.locked.app" : "notification.locked.concern")];
            }
            else if (!NotificationRules.EventsFor(user.Role).Contains(item.Event!))
            {
                errors[$"items[{i}].event"] = [HostTexts.Local("notification.event.notForRole", item.Event!)];
            }
        }
        if (errors.Count > 0)
        {
            throw new Errors.RuleViolationException(HostTexts.Local("notification.preferences.refused"), errors);
        }
        var mine = await db.NotificationPreferences.Where(p => p.UserId == user.Id).ToListAsync(cancellationToken);
        foreach (var item in items.Where(i => i.Channel != NotificationChannels.App))
        {
            var row = mine.FirstOrDefault(p => p.Event == item.Event && p.Channel == item.Channel);
            if (row is null)
            {
                row = new NotificationPreference { UserId = user.Id, Event = item.Event!, Channel = item.Channel! };
                db.NotificationPreferences.Add(row);
                mine.Add(row);
            }
            row.Enabled = item.Enabled!.Value;
        }
        // Empty string: no SMS or mail any more. A changed address gets a fresh chance.
        if (request.Phone is not null && request.Phone != user.Phone)
        {
            user.Phone = request.Phone.Length == 0 ? null : request.Phone;
            user.PhoneFailure = null;
            user.PhoneFailedAt = null;
        }
        if (request.Email is not null && request.Email != user.Email)
        {
            user.Email = request.Email.Length == 0 ? null : request.Email;
            user.EmailFailure = null;
            user.EmailFailedAt = null;
        }
        await db.SaveChangesAsync(cancellationToken);
        return await reader.ReadAsync(user, cancellationToken);
    }
}

internal sealed class NotificationPreferenceEndpoints : IEndpointGroup
{
    public void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/notifications/preferences").RequireAuthorization().WithTags("Notifications");
        group.MapGet("", async (IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new GetNotificationPreferences(), ct)))
            .WithSummary("My notification settings: each event I can receive on each channel (app, and SMS and mail where configured), my phone and mail address and whether they failed");
        group.MapPut("", async (SaveNotificationPreferences body, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(body, ct)))
            .WithSummary("Change my notification settings ({ items: [{ event, channel, enabled }], phone?, email? }); a concern cannot be turned off for supervisors and civil affairs")
            .ProducesProblem(400)
            .ProducesProblem(422);
    }
}
