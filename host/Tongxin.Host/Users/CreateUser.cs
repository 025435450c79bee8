using FluentValidation;
using MediatR;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Errors;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;
using Tongxin.Host.Requests;
using Tongxin.Host.Text;

namespace Tongxin.Host.Users;

/// <summary>
/// <c>POST /api/users</c>. Each role sits at its level of the region tree: a child director in a
/// village, a supervisor in a town, civil-affairs staff in a county. Civil affairs creates accounts
/// inside its county, never administrators.
/// </summary>
[AllowedRoles(Tongxin.Modules.Contracts.Requests.Role.Admin, Tongxin.Modules.Contracts.Requests.Role.CivilAffairs)]
public sealed record CreateUser(string? UserName, string? Password, Role? Role, string? RegionCode, string? OrganisationId) : IRequest<UserView>, IAuditedRequest
{
    // An account is access: a role over a region's children's files (threat model, "accounts and tokens").
    string IAuditedRequest.AuditAction => "user.create";
    string IAuditedRequest.AuditSubjectType => "user";
    // Learned from the answer (the new account's id).
    string? IAuditedRequest.AuditSubjectId => null;
}

public sealed record UserView(string Id, string UserName, Role Role, string RegionCode, string? OrganisationId) : IAuditSubject
{
    string IAuditSubject.AuditSubjectId => Id;
}

internal sealed class CreateUserValidator : AbstractValidator<CreateUser>
{
    public CreateUserValidator()
    {
        RuleFor(r => r.UserName).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .Matches("^[A-Za-z0-9._-]{3,64}$").WithMessage(_ => HostTexts.Local("user.name.format"));
        RuleFor(r => r.Password).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .MinimumLength(BootstrapOptions.MinimumPasswordLength).WithMessage(_ => HostTexts.Local("user.password.short", BootstrapOptions.MinimumPasswordLength))
            .MaximumLength(128).WithMessage(_ => HostTexts.Local("field.tooLong", 128));
        RuleFor(r => r.Role).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"));
        RuleFor(r => r.RegionCode).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"));
        RuleFor(r => r.OrganisationId).NotEmpty().When(r => r.Role is Role.SocialWorkOrg or Role.ProgrammeOwner)
            .WithMessage(_ => HostTexts.Local("user.organisation.required"));
    }
}

internal sealed class CreateUserHandler(TongxinDbContext db, ICallerAccessor callers, IPasswordHasher<UserAccount> hasher, TimeProvider clock)
    : IRequestHandler<CreateUser, UserView>
{
    private static readonly Dictionary<Role, OrganisationKind[]> AllowedOrganisations = new()
    {
        [Role.SocialWorkOrg] = [OrganisationKind.SocialWorkOrg],
        [Role.ProgrammeOwner] = [OrganisationKind.WomensFederation, OrganisationKind.YouthLeague],
        [Role.CivilAffairs] = [OrganisationKind.CivilAffairs],
    };

    public async Task<UserView> Handle(CreateUser request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var role = request.Role!.Value;
        if (role == Role.Admin && caller.Role != Role.Admin)
        {
            throw new AccessDeniedException(HostTexts.Local("forbidden.role", caller.Role.Name()));
        }
        var region = await db.Regions.AsNoTracking().SingleOrDefaultAsync(r => r.Code == request.RegionCode, cancellationToken)
            ?? throw RequestValidationException.ForField("regionCode", HostTexts.Local("region.unknown"));
        caller.EnsureCanSee(region.Path);
        if (AccountRules.RequiredLevel.TryGetValue(role, out var level) && region.Kind != level)
        {
            throw RequestValidationException.ForField("regionCode", HostTexts.Local("user.region.level", role.Name(), level.ToString().ToLowerInvariant()));
        }
        if (request.OrganisationId is not null)
        {
            var organisation = await db.Organisations.AsNoTracking().SingleOrDefaultAsync(o => o.Id == request.OrganisationId, cancellationToken)
                ?? throw RequestValidationException.ForField("organisationId", HostTexts.Local("organisation.unknown"));
            if (AllowedOrganisations.TryGetValue(role, out var kinds) && !kinds.Contains(organisation.Kind))
            {
                throw RequestValidationException.ForField("organisationId", HostTexts.Local("user.organisation.kind", role.Name()));
            }
            // An account of an organisation acts for it: only within the organisation's own county.
            caller.EnsureCanSee(organisation.RegionPath);
            if (!region.Path.StartsWith($"/{Regions.RegionPaths.County(organisation.RegionPath)}/", StringComparison.Ordinal))
            {
                throw RequestValidationException.ForField("regionCode", HostTexts.Local("user.region.outsideOrganisation"));
            }
        }
        if (await db.Users.AnyAsync(u => u.UserName == request.UserName, cancellationToken))
        {
            throw new ConflictException(HostTexts.Local("user.name.taken"), "userName");
        }
        var user = new UserAccount
        {
            Id = Ids.New(),
            UserName = request.UserName!,
            PasswordHash = "",
            Role = role,
            RegionCode = region.Code,
            RegionPath = region.Path,
            OrganisationId = request.OrganisationId,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        user.PasswordHash = hasher.HashPassword(user, request.Password!);
        db.Users.Add(user);
        await db.SaveChangesAsync(cancellationToken);
        return new UserView(user.Id, user.UserName, user.Role, user.RegionCode, user.OrganisationId);
    }
}

internal sealed class UserEndpoints : IEndpointGroup
{
    public void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/users").WithTags("Users").RequireAuthorization();
        group.MapPost("", async (CreateUser request, IMediator mediator, CancellationToken ct) =>
            {
                var user = await mediator.Send(request, ct);
                return TypedResults.Created($"/api/users/{user.Id}", user);
            })
            .WithSummary("Create a user account (admin; civil-affairs inside its county)")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(409);
    }
}
