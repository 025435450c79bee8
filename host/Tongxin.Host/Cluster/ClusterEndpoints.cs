using MediatR;
using Orleans;
using Orleans.Runtime;
using Tongxin.Host.Composition;
using Tongxin.Host.Grains;
using Tongxin.Host.Identity;
using Tongxin.Host.Requests;

namespace Tongxin.Host.Cluster;

/// <summary><c>GET /api/cluster</c> (admin): the hosts of the cluster as its membership table has them.</summary>
[AllowedRoles(Role.Admin)]
[NotAudited("The cluster's hosts (addresses, status): no personal data.")]
public sealed record ShowCluster : IRequest<ClusterView>;

public sealed record ClusterView(string Membership, string ClusterId, IReadOnlyList<SiloView> Silos);

public sealed record SiloView(string Address, string Name, string Status, DateTime StartedAt);

/// <summary>
/// <c>GET /api/children/{id}/grain</c> (admin): which host holds the child's grain, and its activation. The same
/// answer from every host is what "one activation in the cluster" means; nothing of the file is shown.
/// </summary>
[AllowedRoles(Role.Admin)]
public sealed record LocateChildGrain(string ChildId) : IRequest<GrainLocation>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "child.grain.locate";
    string IAuditedRequest.AuditSubjectType => "child";
    string? IAuditedRequest.AuditSubjectId => ChildId;
}

/// <summary>
/// <c>GET /api/cluster/matchmakers/{line}/{countyCode}</c> (admin): which host runs a line's matching batches for a
/// county (its matchmaker grain), and its activation.
/// </summary>
[AllowedRoles(Role.Admin)]
[NotAudited("Which host runs a line and county's matching (an address): nothing of a child.")]
public sealed record LocateMatchmaker(string Line, string CountyCode) : IRequest<GrainLocation>;

internal sealed class ShowClusterHandler(IGrainFactory grains, IConfiguration configuration) : IRequestHandler<ShowCluster, ClusterView>
{
    public async Task<ClusterView> Handle(ShowCluster request, CancellationToken cancellationToken)
    {
        var settings = configuration.GetSection(SiloSettings.Section).Get<SiloSettings>() ?? new SiloSettings();
        var hosts = await grains.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: false);
        var silos = hosts
            .OrderBy(h => h.Status != SiloStatus.Active).ThenBy(h => h.StartTime)
            .Select(h => new SiloView(h.SiloAddress.ToString(), h.SiloName, h.Status.ToString().ToLowerInvariant(), h.StartTime))
            .ToList();
        return new ClusterView(settings.Membership.ToString().ToLowerInvariant(), settings.Id, silos);
    }
}

internal sealed class LocateChildGrainHandler(IGrainFactory grains) : IRequestHandler<LocateChildGrain, GrainLocation>
{
    public Task<GrainLocation> Handle(LocateChildGrain request, CancellationToken cancellationToken) =>
        grains.GetGrain<IChildGrain>(request.ChildId).LocateAsync();
}

internal sealed class LocateMatchmakerHandler(IGrainFactory grains) : IRequestHandler<LocateMatchmaker, GrainLocation>
{
    public Task<GrainLocation> Handle(LocateMatchmaker request, CancellationToken cancellationToken) =>
        grains.Matchmaker(request.Line, request.CountyCode).LocateAsync();
}

internal sealed class ClusterEndpoints : IEndpointGroup
{
    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/cluster", async (IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new ShowCluster(), ct)))
            .RequireAuthorization()
            .WithTags("Cluster")
            .WithSummary("The hosts of the Orleans cluster and their status (admin)")
            .ProducesProblem(403);
        app.MapGet("/api/children/{id}/grain", async (string id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new LocateChildGrain(id), ct)))
            .RequireAuthorization()
            .WithTags("Cluster")
            .WithSummary("Which host holds a child's grain, and its activation (admin)")
            .ProducesProblem(403).ProducesProblem(404);
        app.MapGet("/api/cluster/matchmakers/{line}/{countyCode}", async (string line, string countyCode, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new LocateMatchmaker(line, countyCode), ct)))
            .RequireAuthorization()
            .WithTags("Cluster")
            .WithSummary("Which host runs a line's matching batches for a county, and its activation (admin)")
            .ProducesProblem(403);
    }
}
