using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Errors;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;
using Tongxin.Host.Requests;
using Tongxin.Host.Text;

namespace Tongxin.Host.Organisations;

/// <summary><c>POST /api/organisations</c>: civil affairs, women's federation, youth league, a social-work organisation or a school.</summary>
[AllowedRoles(Role.Admin, Role.CivilAffairs)]
[NotAudited("An organisation's name, kind and region: no personal data, and no access by itself (accounts give access, and are audited).")]
public sealed record CreateOrganisation(string? Name, OrganisationKind? Kind, string? RegionCode) : IRequest<OrganisationView>;

[AllowedRoles(Role.Admin, Role.CivilAffairs, Role.Supervisor, Role.ProgrammeOwner, Role.SocialWorkOrg)]
[NotAudited("Organisation names, kinds and regions: no personal data.")]
public sealed record ListOrganisations(OrganisationKind? Kind) : IRequest<IReadOnlyList<OrganisationView>>;

public sealed record OrganisationView(string Id, string Name, OrganisationKind Kind, string RegionCode);

internal sealed class CreateOrganisationValidator : AbstractValidator<CreateOrganisation>
{
    public CreateOrganisationValidator()
    {
        RuleFor(r => r.Name).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .MaximumLength(200).WithMessage(_ => HostTexts.Local("field.tooLong", 200));
        RuleFor(r => r.Kind).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"));
        RuleFor(r => r.RegionCode).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"));
    }
}

internal sealed class CreateOrganisationHandler(TongxinDbContext db, ICallerAccessor callers, TimeProvider clock)
    : IRequestHandler<CreateOrganisation, OrganisationView>
{
    public async Task<OrganisationView> Handle(CreateOrganisation request, CancellationToken cancellationToken)
    {
        var region = await db.Regions.AsNoTracking().SingleOrDefaultAsync(r => r.Code == request.RegionCode, cancellationToken)
            ?? throw RequestValidationException.ForField("regionCode", HostTexts.Local("region.unknown"));
        callers.Current!.EnsureCanSee(region.Path);
        var organisation = new Organisation
        {
            Id = Ids.New(),
            Name = request.Name!.Trim(),
            Kind = request.Kind!.Value,
            RegionCode = region.Code,
            RegionPath = region.Path,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.Organisations.Add(organisation);
        await db.SaveChangesAsync(cancellationToken);
        return new OrganisationView(organisation.Id, organisation.Name, organisation.Kind, organisation.RegionCode);
    }
}

internal sealed class ListOrganisationsHandler(TongxinDbContext db, ICallerAccessor callers)
    : IRequestHandler<ListOrganisations, IReadOnlyList<OrganisationView>>
{
    public async Task<IReadOnlyList<OrganisationView>> Handle(ListOrganisations request, CancellationToken cancellationToken)
    {
        var scope = callers.Current!.RegionPath;
        // Organisations above the caller (the county's federation seen from a town) are public bodies: visible too.
        var query = db.Organisations.AsNoTracking().Where(o => o.RegionPath.StartsWith(scope) || scope.StartsWith(o.RegionPath));
        if (request.Kind is { } kind)
        {
            query = query.Where(o => o.Kind == kind);
        }
        return await query.OrderBy(o => o.Name)
            .Select(o => new OrganisationView(o.Id, o.Name, o.Kind, o.RegionCode))
            .ToListAsync(cancellationToken);
    }
}

internal sealed class OrganisationEndpoints : IEndpointGroup
{
    public void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/organisations").WithTags("Organisations").RequireAuthorization();
        group.MapPost("", async (CreateOrganisation request, IMediator mediator, CancellationToken ct) =>
            {
                var organisation = await mediator.Send(request, ct);
                return TypedResults.Created($"/api/organisations/{organisation.Id}", organisation);
            })
            .WithSummary("Register an organisation (admin, civil-affairs)")
            .ProducesProblem(400).ProducesProblem(403);
        group.MapGet("", async (string? kind, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListOrganisations(QueryValues.Enum<OrganisationKind>(kind, "kind")), ct)))
            .WithSummary("Organisations in or above the caller's region");
    }
}
