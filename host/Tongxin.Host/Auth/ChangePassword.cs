using FluentValidation;
using MediatR;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Errors;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;
using Tongxin.Host.Requests;
using Tongxin.Host.Text;

namespace Tongxin.Host.Auth;

/// <summary>
/// <c>PUT /api/me/password</c> <c>{ currentPassword, newPassword }</c>: the signed-in user changes their own password
/// (the current one required), also the one-time password after a reset. Every token of the user ends, this one
/// included: the app signs in again with the new password.
/// </summary>
[AllowedRoles(Role.Admin, Role.CivilAffairs, Role.Supervisor, Role.ChildDirector, Role.ProgrammeOwner, Role.SocialWorkOrg, Role.Volunteer)]
public sealed record ChangePassword(string? CurrentPassword, string? NewPassword) : IRequest<Unit>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "user.password.change";
    string IAuditedRequest.AuditSubjectType => "user";
    // The caller's own account: the audit row has the user id already.
    string? IAuditedRequest.AuditSubjectId => null;
}

internal sealed class ChangePasswordValidator : AbstractValidator<ChangePassword>
{
    public ChangePasswordValidator()
    {
        RuleFor(r => r.CurrentPassword).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"));
        RuleFor(r => r.NewPassword).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .MinimumLength(BootstrapOptions.MinimumPasswordLength).WithMessage(_ => HostTexts.Local("user.password.short", BootstrapOptions.MinimumPasswordLength))
            .MaximumLength(128).WithMessage(_ => HostTexts.Local("field.tooLong", 128));
        RuleFor(r => r.NewPassword).NotEqual(r => r.CurrentPassword).When(r => !string.IsNullOrEmpty(r.NewPassword))
            .WithMessage(_ => HostTexts.Local("user.password.same"));
    }
}

internal sealed class ChangePasswordHandler(TongxinDbContext db, ICallerAccessor callers, IPasswordHasher<UserAccount> hasher, UserStamps stamps, TimeProvider clock)
    : IRequestHandler<ChangePassword, Unit>
{
    public async Task<Unit> Handle(ChangePassword request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var user = await db.Users.SingleAsync(u => u.Id == caller.UserId, cancellationToken);
        if (hasher.VerifyHashedPassword(user, user.PasswordHash, request.CurrentPassword!) == PasswordVerificationResult.Failed)
        {
            throw RequestValidationException.ForField("currentPassword", HostTexts.Local("user.password.wrongCurrent"));
        }
        user.PasswordHash = hasher.HashPassword(user, request.NewPassword!);
        user.MustChangePassword = false;
        user.SecurityStamp = UserStamps.NewStamp();
        user.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        stamps.Forget(user.Id);
        return Unit.Value;
    }
}

internal sealed class ChangePasswordEndpoints : IEndpointGroup
{
    public void Map(IEndpointRouteBuilder app) =>
        app.MapPut("/api/me/password", async (ChangePassword request, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(request, ct);
                return TypedResults.NoContent();
            })
            .RequireAuthorization()
            .WithTags("Auth")
            .WithSummary("Change one's own password (the current one required); every token of the user ends: sign in again")
            .ProducesProblem(400).ProducesProblem(401);
}
