using MediatR;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;
using Tongxin.Host.Requests;

namespace Tongxin.Host.Regions;

/// <summary><c>GET /api/regions?parentCode=</c>: the regions inside the caller's scope, optionally under one parent.</summary>
[AllowedRoles(Role.Admin, Role.CivilAffairs, Role.Supervisor, Role.ChildDirector, Role.ProgrammeOwner, Role.SocialWorkOrg, Role.Volunteer)]
public sealed record ListRegions(string? ParentCode) : IRequest<IReadOnlyList<RegionView>>;

internal sealed class ListRegionsHandler(TongxinDbContext db, ICallerAccessor callers) : IRequestHandler<ListRegions, IReadOnlyList<RegionView>>
{
    public async Task<IReadOnlyList<RegionView>> Handle(ListRegions request, CancellationToken cancellationToken)
    {
        var scope = callers.Current!.RegionPath;
        var query = db.Regions.AsNoTracking().Where(r => r.Path.StartsWith(scope));
        if (!string.IsNullOrEmpty(request.ParentCode))
        {
            query = query.Where(r => r.ParentCode == request.ParentCode);
        }
        return await query.OrderBy(r => r.Path)
            .Select(r => new RegionView(r.Code, r.Name, r.Kind, r.ParentCode))
            .ToListAsync(cancellationToken);
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
