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

/// <summary>An account as its managers see it (never its password hash or stamp).</summary>
/// <param name="PhoneFailure">The SMS gateway's answer when it refused the number (issue 17): the number needs fixing.</param>
/// <param name="EmailFailure">The mail server's answer when it refused the address.</param>
public sealed record UserListItem(
    string Id, string UserName, Role Role, string RegionCode, string? OrganisationId, bool Active, bool MustChangePassword,
    DateTime CreatedAt, DateTime? DeactivatedAt, string? DisplayName = null, string? Phone = null,
    string? Email = null, string? PhoneFailure = null, string? EmailFailure = null);

/// <summary>
/// <c>GET /api/users?q=&amp;role=&amp;active=&amp;page=&amp;pageSize=</c>: the accounts in the caller's scope (admin: all; civil
/// affairs: its county), by user name, a page at a time.
/// </summary>
[AllowedRoles(Tongxin.Modules.Contracts.Requests.Role.Admin, Tongxin.Modules.Contracts.Requests.Role.CivilAffairs)]
public sealed record ListUsers(string? Q, Role? Role, bool? Active, int Page = 1, int PageSize = 50) : IRequest<UserPage>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "user.list";
    string IAuditedRequest.AuditSubjectType => "user";
    string? IAuditedRequest.AuditSubjectId => null;
}

/// <summary><c>PATCH /api/users/{id}</c> <c>{ role?, regionCode? }</c>: a new role or region; the user's tokens end.</summary>
[AllowedRoles(Tongxin.Modules.Contracts.Requests.Role.Admin, Tongxin.Modules.Contracts.Requests.Role.CivilAffairs)]
public sealed record UpdateUser(string Id, Role? Role, string? RegionCode) : IRequest<UserListItem>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "user.update";
    string IAuditedRequest.AuditSubjectType => "user";
    string? IAuditedRequest.AuditSubjectId => Id;
}

/// <summary>
/// <c>POST /api/users/{id}/deactivate</c>: the user can no longer sign in, and every token of theirs ends at once. The
/// answer names the villages the change leaves without a child director (the staffing rule: at least one per village).
/// </summary>
[AllowedRoles(Role.Admin, Role.CivilAffairs)]
public sealed record DeactivateUser(string Id) : IRequest<DeactivatedUser>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "user.deactivate";
    string IAuditedRequest.AuditSubjectType => "user";
    string? IAuditedRequest.AuditSubjectId => Id;
}

public sealed record UserPage(IReadOnlyList<UserListItem> Items, int Page, int PageSize, int Total);

internal sealed class ListUsersValidator : AbstractValidator<ListUsers>
{
    public const int MaxPageSize = 200;

    public ListUsersValidator()
    {
        RuleFor(r => r.Page).GreaterThanOrEqualTo(1).WithMessage(_ => HostTexts.Local("field.min", 1));
        RuleFor(r => r.PageSize).InclusiveBetween(1, MaxPageSize).WithMessage(_ => HostTexts.Local("field.range", 1, MaxPageSize));
    }
}

public sealed record VillageRef(string Code, string Name);

public sealed record DeactivatedUser(UserListItem User, IReadOnlyList<VillageRef> VillagesWithoutDirector, string? Warning);

/// <summary><c>POST /api/users/{id}/reactivate</c>.</summary>
[AllowedRoles(Role.Admin, Role.CivilAffairs)]
public sealed record ReactivateUser(string Id) : IRequest<UserListItem>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "user.reactivate";
    string IAuditedRequest.AuditSubjectType => "user";
    string? IAuditedRequest.AuditSubjectId => Id;
}

/// <summary>
/// <c>POST /api/users/{id}/password-reset</c>: a one-time password, shown once in the answer; the user must change it
/// at their next sign-in, and every token of theirs ends at once.
/// </summary>
[AllowedRoles(Role.Admin, Role.CivilAffairs)]
public sealed record ResetPassword(string Id) : IRequest<PasswordReset>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "user.password.reset";
    string IAuditedRequest.AuditSubjectType => "user";
    string? IAuditedRequest.AuditSubjectId => Id;
}

public sealed record PasswordReset(string UserId, string TemporaryPassword);

internal sealed class UpdateUserValidator : AbstractValidator<UpdateUser>
{
    public UpdateUserValidator() =>
        RuleFor(r => r).Must(r => r.Role is not null || !string.IsNullOrEmpty(r.RegionCode))
            .WithName("role").OverridePropertyName("role").WithMessage(_ => HostTexts.Local("user.update.nothing"));
}

/// <summary>Loading an account the caller may manage, and writing a change that ends its tokens.</summary>
internal sealed class ManagedUsers(TongxinDbContext db, ICallerAccessor callers, UserStamps stamps, TimeProvider clock)
{
    public async Task<UserAccount> LoadAsync(string id, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == id, cancellationToken)
            ?? throw new NotFoundException(HostTexts.Local("notFound.user"));
        caller.EnsureCanSee(user.RegionPath);
        // Civil affairs manages its county's accounts, never an administrator's; nobody manages their own here.
        if (user.Role == Role.Admin && caller.Role != Role.Admin)
        {
            throw new AccessDeniedException(HostTexts.Local("forbidden.role", caller.Role.Name()));
        }
        if (user.Id == caller.UserId)
        {
            throw new ConflictException(HostTexts.Local("user.self"), "id");
        }
        return user;
    }

    /// <summary>Saves the change with a new stamp: every token of the user ends, on this host now and on every host within a second.</summary>
    public async Task SaveEndingTokensAsync(UserAccount user, CancellationToken cancellationToken)
    {
        user.SecurityStamp = UserStamps.NewStamp();
        user.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        stamps.Forget(user.Id);
    }

    public static UserListItem View(UserAccount u) =>
        new(u.Id, u.UserName, u.Role, u.RegionCode, u.OrganisationId, u.Active, u.MustChangePassword, u.CreatedAt, u.DeactivatedAt, u.DisplayName, u.Phone,
            u.Email, u.PhoneFailure, u.EmailFailure);
}

internal sealed class ListUsersHandler(TongxinDbContext db, ICallerAccessor callers) : IRequestHandler<ListUsers, UserPage>
{
    public async Task<UserPage> Handle(ListUsers request, CancellationToken cancellationToken)
    {
        var scope = callers.Current!.RegionPath;
        var users = db.Users.AsNoTracking().Where(u => u.RegionPath.StartsWith(scope));
        if (!string.IsNullOrWhiteSpace(request.Q))
        {
            var q = request.Q.Trim();
            users = users.Where(u => u.UserName.Contains(q) || u.RegionCode.StartsWith(q) || (u.DisplayName != null && u.DisplayName.Contains(q)));
        }
        if (request.Role is { } role)
        {
            users = users.Where(u => u.Role == role);
        }
        if (request.Active is { } active)
        {
            users = users.Where(u => u.Active == active);
        }
        var total = await users.CountAsync(cancellationToken);
        var rows = await users.OrderBy(u => u.UserName).Skip((request.Page - 1) * request.PageSize).Take(request.PageSize).ToListAsync(cancellationToken);
        return new UserPage(rows.Select(ManagedUsers.View).ToList(), request.Page, request.PageSize, total);
    }
}

internal sealed class UpdateUserHandler(TongxinDbContext db, ManagedUsers managed, ICallerAccessor callers) : IRequestHandler<UpdateUser, UserListItem>
{
    public async Task<UserListItem> Handle(UpdateUser request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var user = await managed.LoadAsync(request.Id, cancellationToken);
        var role = request.Role ?? user.Role;
        if (role == Role.Admin && caller.Role != Role.Admin)
        {
            throw new AccessDeniedException(HostTexts.Local("forbidden.role", caller.Role.Name()));
        }
        var region = await db.Regions.AsNoTracking().SingleOrDefaultAsync(r => r.Code == (request.RegionCode ?? user.RegionCode), cancellationToken)
            ?? throw RequestValidationException.ForField("regionCode", HostTexts.Local("region.unknown"));
        caller.EnsureCanSee(region.Path);
        if (AccountRules.RequiredLevel.TryGetValue(role, out var level) && region.Kind != level)
        {
            throw RequestValidationException.ForField(request.RegionCode is null ? "role" : "regionCode",
                HostTexts.Local("user.region.level", role.Name(), level.ToString().ToLowerInvariant()));
        }
        if (role is Role.SocialWorkOrg or Role.ProgrammeOwner && user.OrganisationId is null)
        {
            throw RequestValidationException.ForField("role", HostTexts.Local("user.organisation.required"));
        }
        user.Role = role;
        user.RegionCode = region.Code;
        user.RegionPath = region.Path;
        await managed.SaveEndingTokensAsync(user, cancellationToken);
        return ManagedUsers.View(user);
    }
}

internal sealed class DeactivateUserHandler(TongxinDbContext db, ManagedUsers managed, TimeProvider clock) : IRequestHandler<DeactivateUser, DeactivatedUser>
{
    public async Task<DeactivatedUser> Handle(DeactivateUser request, CancellationToken cancellationToken)
    {
        var user = await managed.LoadAsync(request.Id, cancellationToken);
        if (user.Active)
        {
            user.Active = false;
            user.DeactivatedAt = clock.GetUtcNow().UtcDateTime;
            await managed.SaveEndingTokensAsync(user, cancellationToken);
        }
        var orphaned = user.Role == Role.ChildDirector ? await VillagesWithoutDirectorAsync(user.RegionCode, cancellationToken) : [];
        var warning = orphaned.Count == 0 ? null
            : HostTexts.Local("user.deactivate.villageWithoutDirector", string.Join("、", orphaned.Select(v => v.Name)));
        return new DeactivatedUser(ManagedUsers.View(user), orphaned, warning);
    }

    private async Task<List<VillageRef>> VillagesWithoutDirectorAsync(string villageCode, CancellationToken cancellationToken)
    {
        var stillServed = await db.Users.AnyAsync(u => u.Active && u.Role == Role.ChildDirector && u.RegionCode == villageCode, cancellationToken);
        if (stillServed)
        {
            return [];
        }
        return await db.Regions.AsNoTracking().Where(r => r.Code == villageCode).Select(r => new VillageRef(r.Code, r.Name)).ToListAsync(cancellationToken);
    }
}

internal sealed class ReactivateUserHandler(ManagedUsers managed) : IRequestHandler<ReactivateUser, UserListItem>
{
    public async Task<UserListItem> Handle(ReactivateUser request, CancellationToken cancellationToken)
    {
        var user = await managed.LoadAsync(request.Id, cancellationToken);
        if (!user.Active)
        {
            user.Active = true;
            user.DeactivatedAt = null;
            await managed.SaveEndingTokensAsync(user, cancellationToken);
        }
        return ManagedUsers.View(user);
    }
}

internal sealed class ResetPasswordHandler(ManagedUsers managed, IPasswordHasher<UserAccount> hasher) : IRequestHandler<ResetPassword, PasswordReset>
{
    public async Task<PasswordReset> Handle(ResetPassword request, CancellationToken cancellationToken)
    {
        var user = await managed.LoadAsync(request.Id, cancellationToken);
        var temporary = OneTimePasswords.New();
        user.PasswordHash = hasher.HashPassword(user, temporary);
        user.MustChangePassword = true;
        await managed.SaveEndingTokensAsync(user, cancellationToken);
        return new PasswordReset(user.Id, temporary);
    }
}

/// <summary>One-time passwords: 12 characters a director can read aloud over the phone (no 0/O, 1/l/I).</summary>
internal static class OneTimePasswords
{
    private const string Alphabet = "ABCDEFGHJKMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789";

    public static string New() =>
        string.Create(12, 0, (chars, _) =>
        {
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = Alphabet[System.Security.Cryptography.RandomNumberGenerator.GetInt32(Alphabet.Length)];
            }
        });
}

/// <summary>Rules of an account shared by creating and changing one.</summary>
internal static class AccountRules
{
    /// <summary>Each role sits at its level of the region tree.</summary>
    public static readonly IReadOnlyDictionary<Role, RegionKind> RequiredLevel = new Dictionary<Role, RegionKind>
    {
        [Role.CivilAffairs] = RegionKind.County,
        [Role.Supervisor] = RegionKind.Town,
        [Role.ChildDirector] = RegionKind.Village,
    };
}

internal sealed class ManageUserEndpoints : IEndpointGroup
{
    public void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/users").WithTags("Users").RequireAuthorization();
        group.MapGet("", async (string? q, string? role, bool? active, int? page, int? pageSize, IMediator mediator, CancellationToken ct) =>
            {
                // Roles by their API names (child-director), as everywhere in the API.
                Role? parsed = null;
                if (!string.IsNullOrEmpty(role))
                {
                    parsed = RoleNames.TryParse(role, out var named) ? named
                        : throw RequestValidationException.ForField("role", HostTexts.Local("json.wrongValue"));
                }
                return TypedResults.Ok(await mediator.Send(new ListUsers(q, parsed, active, page ?? 1, pageSize ?? 50), ct));
            })
            .WithSummary("Accounts in the caller's scope, by name or region code (q), role and status (admin; civil affairs: its county)");
        group.MapPatch("/{id}", async (string id, UserChange body, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new UpdateUser(id, body.Role, body.RegionCode), ct)))
            .WithSummary("Change an account's role or region; its tokens end").ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);
        group.MapPost("/{id}/deactivate", async (string id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new DeactivateUser(id), ct)))
            .WithSummary("Deactivate an account: no sign-in, its tokens end at once; names villages left without a child director");
        group.MapPost("/{id}/reactivate", async (string id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ReactivateUser(id), ct)))
            .WithSummary("Reactivate an account");
        group.MapPost("/{id}/password-reset", async (string id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ResetPassword(id), ct)))
            .WithSummary("Reset a password: a one-time password shown once, to be changed at the next sign-in; tokens end");
    }
}

/// <summary>The body of <c>PATCH /api/users/{id}</c>.</summary>
public sealed record UserChange(Role? Role, string? RegionCode);
