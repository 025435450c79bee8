using System.Text.Json;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Errors;
using Tongxin.Host.Identity;
using Tongxin.Host.Modules;
using Tongxin.Host.Persistence;
using Tongxin.Host.Regions;
using Tongxin.Host.Requests;
using Tongxin.Host.Text;

namespace Tongxin.Host.Escalation;

/// <summary>
/// <c>GET /api/escalations?regionCode=&amp;level=</c>: needs still unplaced that have climbed to at least this level
/// (town or county), with each step's reason. Without a level: what reached the caller — a supervisor (and a
/// child director, for their village) sees what reached the town, civil affairs what reached the county.
/// </summary>
[AllowedRoles(Role.ChildDirector, Role.Supervisor, Role.CivilAffairs)]
public sealed record ListEscalatedNeeds(string? RegionCode, EscalationLevel? Level) : IRequest<IReadOnlyList<EscalatedNeedView>>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "need.escalations.list";
    string IAuditedRequest.AuditSubjectType => "region";
    string? IAuditedRequest.AuditSubjectId => RegionCode;
}

/// <summary><c>POST /api/escalations/run</c> <c>{ regionCode? }</c>: sweep the caller's county now (the host also sweeps on a timer).</summary>
[AllowedRoles(Role.CivilAffairs)]
public sealed record RunEscalation(string? RegionCode) : IRequest<EscalationSweep>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "need.escalations.run";
    string IAuditedRequest.AuditSubjectType => "region";
    string? IAuditedRequest.AuditSubjectId => RegionCode;
}

public sealed record EscalationStepView(
    EscalationLevel Level, DateTime DueAt, DateTime At, string ReasonCode, string Reason, ProviderFunnel Funnel, string? LineRuleCode, string? LineRule);

/// <summary>An unplaced need that has climbed: ids and facts, no names (whoever needs the file opens it, and that read is audited).</summary>
public sealed record EscalatedNeedView(
    string NeedId, string ChildId, string Line, string LineName, string TownCode, string VillageCode, Urgency Urgency, NeedStatus Status,
    DateTime CreatedAt, double DaysWaiting, EscalationLevel Level, IReadOnlyList<EscalationStepView> Steps);

internal static class EscalationViews
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static EscalationStepView Step(NeedEscalation step)
    {
        var diagnosis = JsonSerializer.Deserialize<Diagnosis>(step.DiagnosisJson, Json)!;
        var rule = diagnosis.LineRuleCode is null ? null : new Tongxin.Modules.Contracts.LocalizedText(diagnosis.LineRuleZh ?? "", diagnosis.LineRuleEn ?? "").ForCurrentCulture();
        return new EscalationStepView(step.Level, step.DueAt, step.At, step.ReasonCode, UnplacedReasons.Label(step.ReasonCode).ForCurrentCulture(), diagnosis.Funnel, diagnosis.LineRuleCode, rule);
    }
}

internal sealed class ListEscalatedNeedsHandler(TongxinDbContext db, RegionDirectory regions, ICallerAccessor callers, ModuleCatalog modules, TimeProvider clock)
    : IRequestHandler<ListEscalatedNeeds, IReadOnlyList<EscalatedNeedView>>
{
    public async Task<IReadOnlyList<EscalatedNeedView>> Handle(ListEscalatedNeeds request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        if (request.Level == EscalationLevel.Village)
        {
            throw RequestValidationException.ForField("level", HostTexts.Local("escalation.level.values"));
        }
        var level = request.Level ?? (caller.Role == Role.CivilAffairs ? EscalationLevel.County : EscalationLevel.Town);
        var scope = await regions.ResolveScopeAsync(request.RegionCode, caller, cancellationToken);
        var rows = await (from step in db.NeedEscalations.AsNoTracking()
                          join need in db.Needs.AsNoTracking() on step.NeedId equals need.Id
                          where step.RegionPath.StartsWith(scope) && (need.Status == NeedStatus.Open || need.Status == NeedStatus.Offered)
                          select new { step, need }).ToListAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        return rows.GroupBy(r => r.need.Id)
            .Where(g => g.Max(r => r.step.Level) >= level)
            .Select(g =>
            {
                var need = g.First().need;
                var steps = g.Select(r => r.step).OrderBy(s => s.Level).ToList();
                return new EscalatedNeedView(
                    need.Id, need.ChildId, need.Line, modules.Find(need.Line)?.Info.Name.ForCurrentCulture() ?? need.Line,
                    RegionPaths.Town(need.RegionPath), RegionPaths.Village(need.RegionPath), need.Urgency, need.Status, need.CreatedAt,
                    Math.Round((now - need.CreatedAt).TotalDays, 1), steps[^1].Level, steps.Select(EscalationViews.Step).ToList());
            })
            .OrderByDescending(n => n.Level).ThenBy(n => n.CreatedAt).ThenBy(n => n.NeedId, StringComparer.Ordinal)
            .ToList();
    }
}

internal sealed class RunEscalationHandler(RegionDirectory regions, NeedEscalator escalator, ICallerAccessor callers) : IRequestHandler<RunEscalation, EscalationSweep>
{
    public async Task<EscalationSweep> Handle(RunEscalation request, CancellationToken cancellationToken)
    {
        var scope = await regions.ResolveScopeAsync(request.RegionCode, callers.Current!, cancellationToken);
        return await escalator.SweepAsync(RegionPaths.County(scope), cancellationToken);
    }
}

internal sealed class EscalationEndpoints : IEndpointGroup
{
    public void Map(IEndpointRouteBuilder app)
    {
        var escalations = app.MapGroup("/api/escalations").WithTags("Needs").RequireAuthorization();
        escalations.MapGet("", async (string? regionCode, string? level, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListEscalatedNeeds(regionCode, QueryValues.Enum<EscalationLevel>(level, "level")), ct)))
            .WithSummary("Unplaced needs that climbed to the town or the county, with the reason at each step")
            .RequireRateLimiting(Security.RateLimitOptions.ListsAndExports)
            .ProducesProblem(400).ProducesProblem(403);
        escalations.MapPost("/run", async (RunEscalation request, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(request, ct)))
            .WithSummary("Escalate overdue needs of the caller's county now (civil affairs; also runs on a timer)")
            .ProducesProblem(400).ProducesProblem(403);
    }
}
