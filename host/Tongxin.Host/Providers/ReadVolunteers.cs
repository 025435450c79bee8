using MediatR;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Errors;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;
using Tongxin.Host.Requests;
using Tongxin.Host.Text;
using Tongxin.Modules.Contracts;

namespace Tongxin.Host.Providers;

/// <summary><c>GET /api/volunteers/{id}</c>: staff of the region, or the volunteer themself.</summary>
[AllowedRoles(Role.CivilAffairs, Role.Supervisor, Role.ProgrammeOwner, Role.SocialWorkOrg, Role.Volunteer)]
public sealed record GetVolunteer(string Id) : IRequest<VolunteerView>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "volunteer.read";
    string IAuditedRequest.AuditSubjectType => "volunteer";
    string? IAuditedRequest.AuditSubjectId => Id;
}

/// <summary><c>GET /api/volunteers?line=</c>: the volunteers in the caller's region.</summary>
[AllowedRoles(Role.CivilAffairs, Role.Supervisor, Role.ProgrammeOwner, Role.SocialWorkOrg)]
public sealed record ListVolunteers(string? Line) : IRequest<IReadOnlyList<VolunteerView>>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "volunteer.list";
    // The caller's region, or its organisation's volunteers.
    string IAuditedRequest.AuditSubjectType => "region";
    string? IAuditedRequest.AuditSubjectId => null;
}

internal sealed class GetVolunteerHandler(TongxinDbContext db, ICallerAccessor callers, TimeProvider clock) : IRequestHandler<GetVolunteer, VolunteerView>
{
    public async Task<VolunteerView> Handle(GetVolunteer request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var volunteer = await db.Providers.AsNoTracking().SingleOrDefaultAsync(p => p.Id == request.Id && p.Kind == ProviderKind.Volunteer, cancellationToken);
        var allowed = volunteer is not null && caller.Role switch
        {
            Role.Volunteer => volunteer.UserId == caller.UserId,
            Role.ProgrammeOwner or Role.SocialWorkOrg => volunteer.OrganisationId == caller.OrganisationId && caller.OrganisationId is not null,
            _ => caller.CanSee(volunteer.RegionPath),
        };
        if (!allowed)
        {
            throw new NotFoundException(HostTexts.Local("notFound.volunteer"));
        }
        return ProviderJson.Volunteer(volunteer!, clock.GetUtcNow().UtcDateTime);
    }
}

internal sealed class ListVolunteersHandler(TongxinDbContext db, ICallerAccessor callers, TimeProvider clock) : IRequestHandler<ListVolunteers, IReadOnlyList<VolunteerView>>
{
    public async Task<IReadOnlyList<VolunteerView>> Handle(ListVolunteers request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var scope = caller.RegionPath;
        var now = clock.GetUtcNow().UtcDateTime;
        var query = db.Providers.AsNoTracking().Where(p => p.Kind == ProviderKind.Volunteer && p.RegionPath.StartsWith(scope));
        if (caller.Role is Role.ProgrammeOwner or Role.SocialWorkOrg)
        {
            // An organisation manages its own volunteers; others' vetting records are not its business.
            query = query.Where(p => p.OrganisationId == caller.OrganisationId);
        }
        var volunteers = await query
            .OrderBy(p => p.DisplayName).ThenBy(p => p.Id)
            .ToListAsync(cancellationToken);
        return volunteers
            .Where(p => request.Line is null || ProviderJson.Strings(p.LinesJson).Contains(request.Line))
            .Select(p => ProviderJson.Volunteer(p, now))
            .ToList();
    }
}

internal sealed class ProviderEndpoints : IEndpointGroup
{
    public void Map(IEndpointRouteBuilder app)
    {
        var volunteers = app.MapGroup("/api/volunteers").WithTags("Volunteers").RequireAuthorization();
        volunteers.MapPost("", async (RegisterVolunteer request, IMediator mediator, CancellationToken ct) =>
            {
                var created = await mediator.Send(request, ct);
                return TypedResults.Created($"/api/volunteers/{created.Id}", created);
            })
            .WithSummary("Register a volunteer (staff) or yourself (volunteer)")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(409);
        volunteers.MapPut("/{id}/vetting", async (string id, RecordVetting request, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(request with { VolunteerId = id }, ct)))
            .WithSummary("Record the pre-employment / occupational-ban check (入职查询 / 从业禁止)")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);
        volunteers.MapGet("/{id}", async (string id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetVolunteer(id), ct)))
            .WithSummary("A volunteer (staff of the region, or the volunteer themself)")
            .ProducesProblem(404);
        volunteers.MapGet("", async (string? line, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListVolunteers(line), ct)))
            .WithSummary("Volunteers in the caller's region")
            .RequireRateLimiting(Security.RateLimitOptions.ListsAndExports);

        var programmes = app.MapGroup("/api/programmes").WithTags("Programmes").RequireAuthorization();
        programmes.MapPost("", async (CreateProgramme request, IMediator mediator, CancellationToken ct) =>
            {
                var created = await mediator.Send(request, ct);
                return TypedResults.Created($"/api/programmes/{created.Id}", created);
            })
            .WithSummary("Post a programme (women's federation, youth league)")
            .WithDescription("`details` (the line's offer, GET /api/modules) is optional, as in API.md: absent means `{}`, an offer that "
                + "states nothing, which the lines' rules that need one of its fields do not match.")
            .ProducesProblem(400).ProducesProblem(403);
        programmes.MapGet("", async (string? line, string? regionCode, bool? open, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListProgrammes(line, regionCode, open ?? false), ct)))
            .WithSummary("Programmes that concern the caller's region; open=true for those with free seats");
    }
}
