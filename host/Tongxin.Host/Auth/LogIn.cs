using System.Security.Claims;
using FluentValidation;
using MediatR;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Errors;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;
using Tongxin.Host.Requests;
using Tongxin.Host.Text;

namespace Tongxin.Host.Auth;

/// <summary><c>POST /api/auth/login</c>: user name and password → a bearer token (the framework's own scheme).</summary>
[AnonymousRequest]
[NotAudited("Touches no child. Failures are counted per user name and lock it after five (429), with one answer for any failure; what the token then opens is checked, and audited, request by request.")]
public sealed record LogIn(string? UserName, string? Password) : IRequest<ClaimsPrincipal>;

internal sealed class LogInValidator : AbstractValidator<LogIn>
{
    public LogInValidator()
    {
        RuleFor(r => r.UserName).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"));
        RuleFor(r => r.Password).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"));
    }
}

internal sealed class LogInHandler(TongxinDbContext db, IPasswordHasher<UserAccount> hasher, Security.LoginThrottle throttle) : IRequestHandler<LogIn, ClaimsPrincipal>
{
    public async Task<ClaimsPrincipal> Handle(LogIn request, CancellationToken cancellationToken)
    {
        await throttle.EnsureAllowedAsync(request.UserName!, cancellationToken);
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.UserName == request.UserName, cancellationToken);
        // One answer for unknown user and wrong password, so names cannot be probed.
        if (user is null || !user.Active
            || hasher.VerifyHashedPassword(user, user.PasswordHash, request.Password!) == PasswordVerificationResult.Failed)
        {
            await throttle.RecordFailureAsync(request.UserName!, cancellationToken);
            throw new UnauthenticatedException(HostTexts.Local("auth.failed"));
        }
        await throttle.RecordSuccessAsync(request.UserName!, cancellationToken);
        var claims = new List<Claim>
        {
            new(TongxinClaims.UserId, user.Id),
            new(TongxinClaims.UserName, user.UserName),
            new(TongxinClaims.Role, user.Role.Name()),
            new(TongxinClaims.Region, user.RegionCode),
            new(TongxinClaims.RegionPath, user.RegionPath),
            new(TongxinClaims.Stamp, user.SecurityStamp),
        };
        if (user.OrganisationId is not null)
        {
            claims.Add(new Claim(TongxinClaims.Organisation, user.OrganisationId));
        }
        return new ClaimsPrincipal(new ClaimsIdentity(claims, BearerTokenDefaults.AuthenticationScheme, TongxinClaims.UserName, TongxinClaims.Role));
    }
}

internal sealed class AuthEndpoints : IEndpointGroup
{
    public void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/api/auth/login", async (LogIn request, IMediator mediator, CancellationToken ct) =>
                TypedResults.SignIn(await mediator.Send(request, ct), authenticationScheme: BearerTokenDefaults.AuthenticationScheme))
            .AllowAnonymous()
            .WithTags("Auth")
            .WithSummary("Log in: returns { accessToken, tokenType: \"Bearer\", expiresIn }")
            .Produces<AccessTokenResponse>()
            .ProducesProblem(400)
            .ProducesProblem(401)
            .ProducesProblem(429);
    }
}
