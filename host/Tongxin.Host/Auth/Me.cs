using MediatR;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;
using Tongxin.Host.Regions;
using Tongxin.Host.Requests;

namespace Tongxin.Host.Auth;

/// <summary><c>GET /api/me</c>: who the token belongs to, so a client can show the right pages.</summary>
[AllowedRoles(Role.Admin, Role.CivilAffairs, Role.Supervisor, Role.ChildDirector, Role.ProgrammeOwner, Role.SocialWorkOrg, Role.Volunteer)]
[NotAudited("The caller's own account (name, role, region): nothing of a child or of anyone else.")]
public sealed record GetMe : IRequest<MeView>;

/// <param name="MustChangePassword">True after a reset: the app shows the change-password page and nothing else.</param>
public sealed record MeView(string UserId, string UserName, Role Role, string RegionCode, string? RegionName, string? OrganisationId, string? ProviderId,
    bool MustChangePassword = false);

internal sealed class GetMeHandler(TongxinDbContext db, RegionDirectory regions, ICallerAccessor callers, UserStamps stamps) : IRequestHandler<GetMe, MeView>
{
    public async Task<MeView> Handle(GetMe request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var regionName = (await regions.FindAsync(caller.RegionCode, cancellationToken))?.Name;
        var providerId = caller.Role == Role.Volunteer
            ? await db.Providers.AsNoTracking().Where(p => p.UserId == caller.UserId).Select(p => p.Id).FirstOrDefaultAsync(cancellationToken)
            : null;
        var mustChange = (await stamps.GetAsync(caller.UserId, cancellationToken))?.MustChangePassword ?? false;
        return new MeView(caller.UserId, caller.UserName, caller.Role, caller.RegionCode, regionName, caller.OrganisationId, providerId, mustChange);
    }
}

internal sealed class MeEndpoints : IEndpointGroup
{
    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/me", async (IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new GetMe(), ct)))
            .RequireAuthorization()
            .WithTags("Auth")
            .WithSummary("Who I am: user, role, region, organisation");
    }
}
