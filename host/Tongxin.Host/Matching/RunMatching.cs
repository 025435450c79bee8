using MediatR;
using Microsoft.EntityFrameworkCore;
using Orleans;
using Tongxin.Host.Errors;
using Tongxin.Host.Grains;
using Tongxin.Host.Identity;
using Tongxin.Host.Modules;
using Tongxin.Host.Persistence;
using Tongxin.Host.Regions;
using Tongxin.Host.Requests;
using Tongxin.Host.Text;

namespace Tongxin.Host.Matching;

/// <summary>
/// <c>POST /api/matching/run</c> <c>{ line?, regionCode? }</c> (civil affairs): run the batch now for one line
/// or all, in the caller's county (or the county of the region given).
/// </summary>
[AllowedRoles(Role.CivilAffairs)]
public sealed record RunMatching(string? Line, string? RegionCode) : IRequest<IReadOnlyList<BatchResult>>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "matching.run";
    // It makes and expires offers of the county's needs.
    string IAuditedRequest.AuditSubjectType => "region";
    string? IAuditedRequest.AuditSubjectId => RegionCode;
}

internal sealed class RunMatchingHandler(RegionDirectory regions, ICallerAccessor callers, ModuleCatalog modules, IGrainFactory grains)
    : IRequestHandler<RunMatching, IReadOnlyList<BatchResult>>
{
    public async Task<IReadOnlyList<BatchResult>> Handle(RunMatching request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var path = await regions.ResolveScopeAsync(request.RegionCode, caller, cancellationToken);
        var lines = string.IsNullOrEmpty(request.Line)
            ? modules.All.Select(m => m.Module.Info.Key).ToList()
            : [modules.RequireLine(request.Line, "line").Info.Key];
        var results = new List<BatchResult>();
        foreach (var line in lines)
        {
            // Through the line and county's matchmaker: one batch of a line and county at a time in the whole cluster.
            results.Add(await grains.Matchmaker(line, RegionPaths.County(path)).RunNowAsync());
        }
        return results;
    }
}

internal sealed class MatchingEndpoints : IEndpointGroup
{
    public void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/api/matching/run", async (RunMatching request, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(request, ct)))
            .RequireAuthorization()
            .WithTags("Matching")
            .WithSummary("Run batch matching now (civil affairs)")
            .ProducesProblem(400).ProducesProblem(403);
    }
}
