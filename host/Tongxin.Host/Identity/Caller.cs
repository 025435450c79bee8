using System.Security.Claims;
using Tongxin.Host.Errors;
using Tongxin.Host.Text;

namespace Tongxin.Host.Identity;

/// <summary>
/// The signed-in user a request runs for, read from the bearer token's claims. <see cref="RegionPath"/>
/// is the materialised path of the user's region (<c>/county/town/village/</c>): the caller may see
/// everything whose path starts with it.
/// </summary>
public sealed record Caller(string UserId, string UserName, Role Role, string RegionCode, string RegionPath, string? OrganisationId) : IRequestCaller
{
    public bool CanSee(string regionPath) => regionPath.StartsWith(RegionPath, StringComparison.Ordinal);

    public void EnsureCanSee(string regionPath)
    {
        if (!CanSee(regionPath))
        {
            throw new AccessDeniedException(HostTexts.Local("forbidden.region"));
        }
    }
}

public static class TongxinClaims
{
    public const string UserId = "sub";
    public const string UserName = "name";
    public const string Role = "role";
    public const string Region = "region";
    public const string RegionPath = "region_path";
    public const string Organisation = "org";
    /// <summary>The user's security stamp when the token was issued (<see cref="UserStamps"/>).</summary>
    public const string Stamp = "stamp";
}

/// <summary>Who is calling. Scoped per request; tests and background work can set it explicitly.</summary>
public interface ICallerAccessor : IRequestCallerAccessor
{
    new Caller? Current { get; }

    /// <summary>The same caller, as the modules' contract names it.</summary>
    IRequestCaller? IRequestCallerAccessor.Current => Current;
}

internal sealed class HttpCallerAccessor(IHttpContextAccessor http) : ICallerAccessor
{
    private Caller? _cached;

    public Caller? Current => _cached ??= FromPrincipal(http.HttpContext?.User);

    internal static Caller? FromPrincipal(ClaimsPrincipal? user)
    {
        if (user?.Identity?.IsAuthenticated != true)
        {
            return null;
        }
        var role = user.FindFirstValue(TongxinClaims.Role);
        if (!RoleNames.TryParse(role, out var parsed))
        {
            return null;
        }
        return new Caller(
            user.FindFirstValue(TongxinClaims.UserId) ?? "",
            user.FindFirstValue(TongxinClaims.UserName) ?? "",
            parsed,
            user.FindFirstValue(TongxinClaims.Region) ?? "",
            user.FindFirstValue(TongxinClaims.RegionPath) ?? "\0",
            user.FindFirstValue(TongxinClaims.Organisation));
    }
}
