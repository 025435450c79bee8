using MediatR;
using Tongxin.Host.Identity;
using Tongxin.Host.Requests;

namespace Tongxin.Host.Regions;

/// <summary><c>GET /api/regions?parentCode=</c>: the regions inside the caller's scope, optionally under one parent.</summary>
[AllowedRoles(Role.Admin, Role.CivilAffairs, Role.Supervisor, Role.ChildDirector, Role.ProgrammeOwner, Role.SocialWorkOrg, Role.Volunteer)]
[NotAudited("Region codes and names: no personal data.")]
public sealed record ListRegions(string? ParentCode) : IRequest<IReadOnlyList<RegionView>>;

internal sealed class ListRegionsHandler(RegionDirectory regions, ICallerAccessor callers) : IRequestHandler<ListRegions, IReadOnlyList<RegionView>>
{
    public async Task<IReadOnlyList<RegionView>> Handle(ListRegions request, CancellationToken cancellationToken)
    {
        // The caller's whole subtree is one cached entry; a parent filter is applied to it here, so a caller's
        // arbitrary parentCode values never become cache keys.
        var subtree = await regions.UnderAsync(callers.Current!.RegionPath, cancellationToken);
        return subtree
            .Where(r => string.IsNullOrEmpty(request.ParentCode) || r.ParentCode == request.ParentCode)
            .Select(r => new RegionView(r.Code, r.Name, r.Kind, r.ParentCode))
            .ToList();
    }
}

internal sealed class RegionEndpoints : IEndpointGroup
{
    public void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/regions").WithTags("Regions").RequireAuthorization();
        group.MapPost("", async (CreateRegion request, IMediator mediator, CancellationToken ct) =>
            {
                var region = await mediator.Send(request, ct);
                return TypedResults.Created($"/api/regions/{region.Code}", region);
            })
            .WithSummary("Create a county, town or village (admin; civil-affairs inside its county)")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(409);
        group.MapGet("", async (string? parentCode, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListRegions(parentCode), ct)))
            .WithSummary("Regions inside the caller's scope");
    }
}
