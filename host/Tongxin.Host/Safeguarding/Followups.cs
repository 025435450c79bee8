using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tongxin.Host.Children;
using Tongxin.Host.Errors;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;
using Tongxin.Host.Regions;
using Tongxin.Host.Requests;
using Tongxin.Host.Text;

namespace Tongxin.Host.Safeguarding;

/// <summary>
/// <c>Followups:*</c>: the contact rhythm (003 §8): a contact at least every <see cref="ContactEvery"/>, a home
/// visit at least every <see cref="VisitEvery"/>; priority children <see cref="PriorityRate"/> times as often.
/// </summary>
public sealed class FollowupOptions
{
    public const string Section = "Followups";

    public TimeSpan ContactEvery { get; set; } = TimeSpan.FromDays(7);
    public TimeSpan VisitEvery { get; set; } = TimeSpan.FromDays(30);
    public double PriorityRate { get; set; } = 2;
}

/// <summary><c>GET /api/followups/overdue?regionCode=</c>: children whose contact or home visit is late, the latest first.</summary>
[AllowedRoles(Role.ChildDirector, Role.Supervisor, Role.CivilAffairs)]
public sealed record ListOverdueFollowups(string? RegionCode) : IRequest<IReadOnlyList<OverdueChild>>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "child.followups.list";
    string IAuditedRequest.AuditSubjectType => "region";
    string? IAuditedRequest.AuditSubjectId => RegionCode;
}

/// <summary>One child behind the rhythm: how late (days, one decimal), and why they count as priority.</summary>
public sealed record OverdueChild(
    string ChildId, string GivenName, string FamilyName, string VillageCode, bool Priority,
    DateTime? LastContactAt, DateTime ContactDueAt, double ContactOverdueDays,
    DateTime? LastVisitAt, DateTime VisitDueAt, double VisitOverdueDays);

/// <summary><c>GET /api/followups/backlog?regionCode=</c>: per village, its directors and how many children are late.</summary>
[AllowedRoles(Role.Supervisor, Role.CivilAffairs)]
public sealed record GetFollowupBacklog(string? RegionCode) : IRequest<IReadOnlyList<VillageBacklog>>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "child.followups.backlog";
    string IAuditedRequest.AuditSubjectType => "region";
    string? IAuditedRequest.AuditSubjectId => RegionCode;
}

public sealed record VillageBacklog(string VillageCode, string VillageName, IReadOnlyList<string> Directors, int Children, int ContactsOverdue, int VisitsOverdue);

internal sealed class FollowupRhythm(TongxinDbContext db, RegionDirectory regions, IOptions<FollowupOptions> options, TimeProvider clock)
{
    public static readonly IReadOnlyList<string> PriorityGroupsForRhythm =
        [PriorityGroups.LeftBehindGirl, PriorityGroups.Disabled, PriorityGroups.ParentsDisabledOrIll];

    public Task<string> ScopeAsync(string? regionCode, Caller caller, CancellationToken cancellationToken) =>
        regions.ResolveScopeAsync(regionCode, caller, cancellationToken);

    /// <summary>Every child of the region with their due dates; the caller filters to the late ones.</summary>
    public async Task<List<OverdueChild>> AllAsync(string scope, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        // A closed file has nobody to call on any more.
        var children = await db.Children.AsNoTracking().Where(c => c.RegionPath.StartsWith(scope) && c.ClosedAt == null).ToListAsync(cancellationToken);
        var last = await db.ChildContacts.AsNoTracking()
            .Where(k => db.Children.Any(c => c.Id == k.ChildId && c.RegionPath.StartsWith(scope)))
            .GroupBy(k => new { k.ChildId, k.Kind })
            .Select(g => new { g.Key.ChildId, g.Key.Kind, Last = g.Max(k => k.At) })
            .ToListAsync(cancellationToken);
        var lastContact = last.GroupBy(l => l.ChildId).ToDictionary(g => g.Key, g => g.Max(l => l.Last));
        var lastVisit = last.Where(l => l.Kind == ContactKind.HomeVisit).ToDictionary(l => l.ChildId, l => l.Last);
        return children.Select(child =>
        {
            var priority = child.RiskLevel == RiskLevel.High || PriorityGroups.Of(child).Any(PriorityGroupsForRhythm.Contains);
            var rate = priority ? options.Value.PriorityRate : 1;
            // A home visit is a contact too; a file never contacted counts from when it was opened.
            var contactBase = lastContact.TryGetValue(child.Id, out var c) ? c : child.CreatedAt;
            var visitBase = lastVisit.TryGetValue(child.Id, out var v) ? v : child.CreatedAt;
            var contactDue = contactBase + options.Value.ContactEvery / rate;
            var visitDue = visitBase + options.Value.VisitEvery / rate;
            return new OverdueChild(
                child.Id, child.GivenName, child.FamilyName, RegionPaths.Village(child.RegionPath), priority,
                lastContact.TryGetValue(child.Id, out var lc) ? lc : null, contactDue, Late(now, contactDue),
                lastVisit.TryGetValue(child.Id, out var lv) ? lv : null, visitDue, Late(now, visitDue));
        }).ToList();
    }

    private static double Late(DateTime now, DateTime due) => now > due ? Math.Round((now - due).TotalDays, 1) : 0;
}

internal sealed class ListOverdueFollowupsHandler(FollowupRhythm rhythm, ICallerAccessor callers) : IRequestHandler<ListOverdueFollowups, IReadOnlyList<OverdueChild>>
{
    public async Task<IReadOnlyList<OverdueChild>> Handle(ListOverdueFollowups request, CancellationToken cancellationToken)
    {
        var scope = await rhythm.ScopeAsync(request.RegionCode, callers.Current!, cancellationToken);
        return (await rhythm.AllAsync(scope, cancellationToken))
            .Where(c => c.ContactOverdueDays > 0 || c.VisitOverdueDays > 0)
            .OrderByDescending(c => Math.Max(c.ContactOverdueDays, c.VisitOverdueDays)).ThenBy(c => c.ChildId, StringComparer.Ordinal)
            .ToList();
    }
}

internal sealed class GetFollowupBacklogHandler(TongxinDbContext db, RegionDirectory regions, FollowupRhythm rhythm, ICallerAccessor callers) : IRequestHandler<GetFollowupBacklog, IReadOnlyList<VillageBacklog>>
{
    public async Task<IReadOnlyList<VillageBacklog>> Handle(GetFollowupBacklog request, CancellationToken cancellationToken)
    {
        var scope = await rhythm.ScopeAsync(request.RegionCode, callers.Current!, cancellationToken);
        var children = await rhythm.AllAsync(scope, cancellationToken);
        var villages = (await regions.UnderAsync(scope, cancellationToken)).Where(r => r.Kind == RegionKind.Village);
        var directors = (await db.Users.AsNoTracking().Where(u => u.Role == Role.ChildDirector && u.Active && u.RegionPath.StartsWith(scope))
            .Select(u => new { u.RegionCode, u.UserName }).ToListAsync(cancellationToken)).ToLookup(u => u.RegionCode, u => u.UserName);
        return villages.Select(v =>
        {
            var mine = children.Where(c => c.VillageCode == v.Code).ToList();
            return new VillageBacklog(v.Code, v.Name, directors[v.Code].Order(StringComparer.Ordinal).ToList(), mine.Count,
                mine.Count(c => c.ContactOverdueDays > 0), mine.Count(c => c.VisitOverdueDays > 0));
        }).ToList();
    }
}

internal sealed class FollowupEndpoints : IEndpointGroup
{
    public void Map(IEndpointRouteBuilder app)
    {
        var followups = app.MapGroup("/api/followups").WithTags("Safeguarding").RequireAuthorization();
        followups.MapGet("/overdue", async (string? regionCode, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListOverdueFollowups(regionCode), ct)))
            .WithSummary("Children whose weekly contact or monthly home visit is late (priority children twice as often)")
            .RequireRateLimiting(Security.RateLimitOptions.ListsAndExports)
            .ProducesProblem(400).ProducesProblem(403);
        followups.MapGet("/backlog", async (string? regionCode, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetFollowupBacklog(regionCode), ct)))
            .WithSummary("Per village: its child directors and how many children are late")
            .RequireRateLimiting(Security.RateLimitOptions.ListsAndExports)
            .ProducesProblem(400).ProducesProblem(403);
    }
}
