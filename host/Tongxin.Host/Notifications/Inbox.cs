using System.Globalization;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Errors;
using Tongxin.Host.Identity;
using Tongxin.Host.Modules;
using Tongxin.Host.Persistence;
using Tongxin.Host.Requests;
using Tongxin.Host.Text;
using Tongxin.Modules.Contracts;

namespace Tongxin.Host.Notifications;

/// <summary><c>GET /api/notifications?unread=&amp;page=&amp;pageSize=</c>: the caller's own inbox, newest first, with the unread count.</summary>
[AllowedRoles(Role.Admin, Role.CivilAffairs, Role.Supervisor, Role.ChildDirector, Role.ProgrammeOwner, Role.SocialWorkOrg, Role.Volunteer)]
[NotAudited("The caller's own notifications: a child's given name at most, each about a thing the caller may open, whose own read is audited.")]
public sealed record ListNotifications(bool? Unread, int Page = 1, int PageSize = 50) : IRequest<NotificationPage>;

/// <summary><c>GET /api/notifications/unread-count</c>: the number the top bar shows.</summary>
[AllowedRoles(Role.Admin, Role.CivilAffairs, Role.Supervisor, Role.ChildDirector, Role.ProgrammeOwner, Role.SocialWorkOrg, Role.Volunteer)]
[NotAudited("A count of the caller's own unread notifications.")]
public sealed record CountUnreadNotifications : IRequest<UnreadCount>;

/// <summary><c>POST /api/notifications/{id}/read</c>; another user's notification does not exist for the caller (404).</summary>
[AllowedRoles(Role.Admin, Role.CivilAffairs, Role.Supervisor, Role.ChildDirector, Role.ProgrammeOwner, Role.SocialWorkOrg, Role.Volunteer)]
[NotAudited("Marks one of the caller's own notifications read: no personal data changes.")]
public sealed record MarkNotificationRead(string Id) : IRequest<NotificationView>;

/// <summary><c>POST /api/notifications/read-all</c>.</summary>
[AllowedRoles(Role.Admin, Role.CivilAffairs, Role.Supervisor, Role.ChildDirector, Role.ProgrammeOwner, Role.SocialWorkOrg, Role.Volunteer)]
[NotAudited("Marks the caller's own notifications read: no personal data changes.")]
public sealed record MarkAllNotificationsRead : IRequest<UnreadCount>;

/// <param name="Text">In the caller's language (Accept-Language), from texts.json.</param>
/// <param name="Link">The web app's route of the thing, e.g. <c>/needs/{id}</c>.</param>
public sealed record NotificationView(string Id, string Event, string Text, string Link, DateTime CreatedAt, DateTime? ReadAt);

public sealed record NotificationPage(IReadOnlyList<NotificationView> Items, int Page, int PageSize, int Total, int Unread);

public sealed record UnreadCount(int Unread);

internal sealed class ListNotificationsValidator : AbstractValidator<ListNotifications>
{
    public const int MaxPageSize = 200;

    public ListNotificationsValidator()
    {
        RuleFor(r => r.Page).GreaterThanOrEqualTo(1).WithMessage(_ => HostTexts.Local("field.min", 1));
        RuleFor(r => r.PageSize).InclusiveBetween(1, MaxPageSize).WithMessage(_ => HostTexts.Local("field.range", 1, MaxPageSize));
    }
}

/// <summary>A notification's text: its event's sentence with the line's name, a given name and a step, in both languages.</summary>
internal sealed class NotificationTexts(ModuleCatalog modules)
{
    public NotificationView View(Notification n) =>
        new(n.Id, n.Event, Text(n).ForCurrentCulture(), n.Link, n.CreatedAt, n.ReadAt);

    /// <summary>{0} the line, {1} a given name, {2} a step, {3} a count.</summary>
    public LocalizedText Text(Notification n) => Text(n, Values(n));

    /// <summary>
    /// The text, and what an SMS template is filled with: the same few values (Chinese) and the link; the notification's
    /// values read once.
    /// </summary>
    public (LocalizedText Text, IReadOnlyDictionary<string, string> TemplateValues) Message(Notification n, string url)
    {
        var values = Values(n);
        return (Text(n, values), TemplateValues(values, url));
    }

    private static LocalizedText Text(Notification n, TextValues values)
    {
        var template = HostTexts.Get($"notification.{n.Event}");
        return new LocalizedText(
            string.Format(CultureInfo.InvariantCulture, template.Zh, values.Line.Zh, values.GivenName, values.Step.Zh, values.Count),
            string.Format(CultureInfo.InvariantCulture, template.En, values.Line.En, values.GivenName, values.Step.En, values.Count));
    }

    private static Dictionary<string, string> TemplateValues(TextValues values, string url)
    {
        var template = new Dictionary<string, string>(StringComparer.Ordinal) { ["link"] = url };
        if (values.Line.Zh.Length > 0) template["line"] = values.Line.Zh;
        if (values.GivenName.Length > 0) template["name"] = values.GivenName;
        if (values.Step.Zh.Length > 0) template["step"] = values.Step.Zh;
        if (values.HasCount) template["count"] = values.Count.ToString(CultureInfo.InvariantCulture);
        return template;
    }

    private sealed record TextValues(LocalizedText Line, string GivenName, LocalizedText Step, int Count, bool HasCount);

    private TextValues Values(Notification n)
    {
        var args = Outbox.ReadArgs(n.ArgsJson);
        var none = new LocalizedText("", "");
        var line = args.Line is null ? none : modules.Find(args.Line)?.Info.Name ?? new LocalizedText(args.Line, args.Line);
        var step = args.Step is null ? none : HostTexts.Get($"notification.step.{args.Step}");
        return new TextValues(line, args.GivenName ?? "", step, args.Count ?? 0, args.Count is not null);
    }
}

internal sealed class ListNotificationsHandler(TongxinDbContext db, ICallerAccessor callers, NotificationTexts texts) : IRequestHandler<ListNotifications, NotificationPage>
{
    public async Task<NotificationPage> Handle(ListNotifications request, CancellationToken cancellationToken)
    {
        var userId = callers.Current!.UserId;
        var mine = db.Notifications.AsNoTracking().Where(n => n.UserId == userId);
        var shown = request.Unread == true ? mine.Where(n => n.ReadAt == null) : request.Unread == false ? mine.Where(n => n.ReadAt != null) : mine;
        var total = await shown.CountAsync(cancellationToken);
        var unread = await mine.CountAsync(n => n.ReadAt == null, cancellationToken);
        var rows = await shown.OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id)
            .Skip((request.Page - 1) * request.PageSize).Take(request.PageSize).ToListAsync(cancellationToken);
        return new NotificationPage(rows.Select(texts.View).ToList(), request.Page, request.PageSize, total, unread);
    }
}

internal sealed class CountUnreadNotificationsHandler(TongxinDbContext db, ICallerAccessor callers) : IRequestHandler<CountUnreadNotifications, UnreadCount>
{
    public async Task<UnreadCount> Handle(CountUnreadNotifications request, CancellationToken cancellationToken)
    {
        var userId = callers.Current!.UserId;
        return new UnreadCount(await db.Notifications.CountAsync(n => n.UserId == userId && n.ReadAt == null, cancellationToken));
    }
}

internal sealed class MarkNotificationReadHandler(TongxinDbContext db, ICallerAccessor callers, NotificationTexts texts, TimeProvider clock)
    : IRequestHandler<MarkNotificationRead, NotificationView>
{
    public async Task<NotificationView> Handle(MarkNotificationRead request, CancellationToken cancellationToken)
    {
        var userId = callers.Current!.UserId;
        var notification = await db.Notifications.SingleOrDefaultAsync(n => n.Id == request.Id && n.UserId == userId, cancellationToken)
            ?? throw new NotFoundException(HostTexts.Local("notFound.notification"));
        if (notification.ReadAt is null)
        {
            notification.ReadAt = clock.GetUtcNow().UtcDateTime;
            await db.SaveChangesAsync(cancellationToken);
        }
        return texts.View(notification);
    }
}

internal sealed class MarkAllNotificationsReadHandler(TongxinDbContext db, ICallerAccessor callers, TimeProvider clock)
    : IRequestHandler<MarkAllNotificationsRead, UnreadCount>
{
    public async Task<UnreadCount> Handle(MarkAllNotificationsRead request, CancellationToken cancellationToken)
    {
        var userId = callers.Current!.UserId;
        var now = clock.GetUtcNow().UtcDateTime;
        await db.Notifications.Where(n => n.UserId == userId && n.ReadAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), cancellationToken);
        return new UnreadCount(0);
    }
}

internal sealed class NotificationEndpoints : IEndpointGroup
{
    public void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/notifications").RequireAuthorization().WithTags("Notifications");
        group.MapGet("", async (bool? unread, int? page, int? pageSize, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListNotifications(unread, page ?? 1, pageSize ?? 50), ct)))
            .WithSummary("My notifications, newest first ({ items, page, pageSize, total, unread }); unread=true for the unread only")
            .ProducesProblem(400);
        group.MapGet("/unread-count", async (IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new CountUnreadNotifications(), ct)))
            .WithSummary("How many of my notifications are unread");
        group.MapPost("/{id}/read", async (string id, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new MarkNotificationRead(id), ct)))
            .WithSummary("Mark one of my notifications read")
            .ProducesProblem(404);
        group.MapPost("/read-all", async (IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new MarkAllNotificationsRead(), ct)))
            .WithSummary("Mark all my notifications read");
    }
}
