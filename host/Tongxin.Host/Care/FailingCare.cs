using MediatR;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;
using Tongxin.Host.Regions;
using Tongxin.Host.Requests;

namespace Tongxin.Host.Care;

/// <summary>
/// <c>GET /api/care/failing?regionCode=</c>: the children of the caller's region (a director: their village; a supervisor:
/// their town; civil affairs: the county) whose care is failing, with the reasons, the gravest first.
/// </summary>
[AllowedRoles(Role.ChildDirector, Role.Supervisor, Role.CivilAffairs)]
public sealed record ListFailingCare(string? RegionCode) : IRequest<IReadOnlyList<FailingCareChild>>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "child.care.failing.list";
    string IAuditedRequest.AuditSubjectType => "region";
    string? IAuditedRequest.AuditSubjectId => RegionCode;
}

public sealed record FailingCareChild(
    string ChildId, string FamilyName, string GivenName, string VillageCode, RiskLevel RiskLevel, IReadOnlyList<FailingCareReason> Reasons,
    DateOnly? AgreementUntil, DateTime? LastCheckedAt);

/// <summary><c>GET /api/care/summary?regionCode=</c>: per village, how many children, how many arrangements recorded, and how many failing for each reason.</summary>
[AllowedRoles(Role.ChildDirector, Role.Supervisor, Role.CivilAffairs)]
public sealed record CareSummary(string? RegionCode) : IRequest<IReadOnlyList<VillageCareCounts>>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "child.care.summary";
    string IAuditedRequest.AuditSubjectType => "region";
    string? IAuditedRequest.AuditSubjectId => RegionCode;
}

public sealed record VillageCareCounts(
    string VillageCode, int Children, int Recorded, int Failing, int NoAgreement, int AgreementExpired, int AgreementLapsed, int CarerUnable);

/// <summary>The open files of a region with their arrangements and failing reasons, for the lists, the summary and the ledger.</summary>
internal sealed class CareOverview(TongxinDbContext db, TimeProvider clock)
{
    public async Task<List<(ChildFile Child, CareArrangement? Care, IReadOnlyList<FailingCareReason> Reasons)>> ForScopeAsync(string scope, CancellationToken cancellationToken)
    {
        var rows = await (from child in db.Children.AsNoTracking()
                          where child.RegionPath.StartsWith(scope) && child.ClosedAt == null
                          join care in db.CareArrangements.AsNoTracking() on child.Id equals care.ChildId into cares
                          from care in cares.DefaultIfEmpty()
                          select new { child, care }).ToListAsync(cancellationToken);
        var today = clock.Today();
        return rows.Select(r => (r.child, (CareArrangement?)r.care, CareRules.Failing(r.care, today))).ToList();
    }

    public static IReadOnlyList<VillageCareCounts> Count(IEnumerable<(ChildFile Child, CareArrangement? Care, IReadOnlyList<FailingCareReason> Reasons)> rows) =>
        rows.GroupBy(r => r.Child.VillageCode)
            .Select(g => new VillageCareCounts(
                g.Key, g.Count(), g.Count(r => r.Care is not null), g.Count(r => r.Reasons.Count > 0),
                g.Count(r => r.Reasons.Contains(FailingCareReason.NoAgreement)), g.Count(r => r.Reasons.Contains(FailingCareReason.AgreementExpired)),
                g.Count(r => r.Reasons.Contains(FailingCareReason.AgreementLapsed)), g.Count(r => r.Reasons.Contains(FailingCareReason.CarerUnable))))
            .OrderBy(v => v.VillageCode, StringComparer.Ordinal)
            .ToList();
}

internal sealed class ListFailingCareHandler(CareOverview overview, RegionDirectory regions, ICallerAccessor callers)
    : IRequestHandler<ListFailingCare, IReadOnlyList<FailingCareChild>>
{
    public async Task<IReadOnlyList<FailingCareChild>> Handle(ListFailingCare request, CancellationToken cancellationToken)
    {
        var scope = await regions.ResolveScopeAsync(request.RegionCode, callers.Current!, cancellationToken);
        return (await overview.ForScopeAsync(scope, cancellationToken))
            .Where(r => r.Reasons.Count > 0)
            .OrderByDescending(r => r.Reasons.Max(CareRules.RiskFor)).ThenByDescending(r => r.Child.RiskLevel).ThenBy(r => r.Child.FamilyName + r.Child.GivenName, StringComparer.Ordinal)
            .Select(r => new FailingCareChild(r.Child.Id, r.Child.FamilyName, r.Child.GivenName, r.Child.VillageCode, r.Child.RiskLevel, r.Reasons,
                r.Care?.AgreementUntil, r.Care?.LastCheckedAt))
            .ToList();
    }
}

internal sealed class CareSummaryHandler(CareOverview overview, RegionDirectory regions, ICallerAccessor callers)
    : IRequestHandler<CareSummary, IReadOnlyList<VillageCareCounts>>
{
    public async Task<IReadOnlyList<VillageCareCounts>> Handle(CareSummary request, CancellationToken cancellationToken)
    {
        var scope = await regions.ResolveScopeAsync(request.RegionCode, callers.Current!, cancellationToken);
        return CareOverview.Count(await overview.ForScopeAsync(scope, cancellationToken));
    }
}

internal sealed class CareEndpoints : IEndpointGroup
{
    public void Map(IEndpointRouteBuilder app)
    {
        var children = app.MapGroup("/api/children").WithTags("Care").RequireAuthorization();
        children.MapGet("/{id}/care-arrangement", async (string id, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new GetCareArrangement(id), ct)))
            .WithSummary("Who looks after the child: parents, entrusted carer, agreement, last check, failing reasons (staff only)").ProducesProblem(404);
        children.MapPut("/{id}/care-arrangement", async (string id, SetCareArrangement request, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(request with { ChildId = id }, ct)))
            .WithSummary("Record the care arrangement (the village's director); each change kept")
            .WithDescription("`version`: the version read (409 when stale). An agreement ending before it starts, a carer under 18 or an unknown relation → 400 naming the field. A failing arrangement raises the risk level with the reason.")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);
        children.MapPost("/{id}/care-arrangement/checks", async (string id, CheckCareArrangement request, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(request with { ChildId = id }, ct)))
            .WithSummary("Record a check of the arrangement at a home visit; `raiseConcern` with a carer who cannot care raises the guardian-unable concern in the same step")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(422);
        children.MapGet("/{id}/care-arrangement/history", async (string id, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new GetCareHistory(id), ct)))
            .WithSummary("Every change and check of the care arrangement, with who and when").ProducesProblem(404);

        var care = app.MapGroup("/api/care").WithTags("Care").RequireAuthorization();
        care.MapGet("/failing", async (string? regionCode, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new ListFailingCare(regionCode), ct)))
            .WithSummary("Children of the caller's region whose care is failing, with the reasons (no agreement, agreement expired or lapsed, carer unable)");
        care.MapGet("/summary", async (string? regionCode, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new CareSummary(regionCode), ct)))
            .WithSummary("Per village: children, arrangements recorded, failing for each reason");
    }
}
