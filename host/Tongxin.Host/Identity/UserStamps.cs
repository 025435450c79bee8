using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Persistence;

namespace Tongxin.Host.Identity;

/// <summary>What a request must know of its user beyond the token: whether the token still stands.</summary>
public sealed record UserState(string Stamp, bool Active, bool MustChangePassword);

/// <summary>
/// Each user's security stamp and status, as every host sees them: read from the database, remembered by each host for
/// at most <see cref="RememberFor"/>, so a deactivation, a password change or reset, or a new role or region ends every
/// token of the user on every host within that time (the host that made the change forgets at once). The database,
/// not the shared cache, is the source: a Redis outage must not let a revoked token back in, and one indexed read
/// per user per second per host is cheap next to the requests it guards (ADR 0020).
/// </summary>
public sealed class UserStamps(IDbContextFactory<TongxinDbContext> databases, TimeProvider clock)
{
    public static readonly TimeSpan RememberFor = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, (UserState? State, DateTimeOffset Until)> remembered = new(StringComparer.Ordinal);

    /// <summary>The user's state now, or null when there is no such user.</summary>
    public async ValueTask<UserState?> GetAsync(string userId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (remembered.TryGetValue(userId, out var entry) && entry.Until > now)
        {
            return entry.State;
        }
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var state = await db.Users.AsNoTracking()
            .Where(u => u.Id == userId)
            .Select(u => new UserState(u.SecurityStamp, u.Active, u.MustChangePassword))
            .SingleOrDefaultAsync(cancellationToken);
        if (remembered.Count > 50_000)
        {
            remembered.Clear(); // a bound, not a policy: everyone is read again within a second
        }
        remembered[userId] = (state, now + RememberFor);
        return state;
    }

    /// <summary>This host forgets what it remembered of the user (after a change it made); other hosts within a second.</summary>
    public void Forget(string userId) => remembered.TryRemove(userId, out _);

    /// <summary>A fresh stamp: every token issued before it stops working.</summary>
    public static string NewStamp() => Ids.New();
}

/// <summary>
/// After authentication, every request's token is checked against its user's current stamp and status
/// (<see cref="UserStamps"/>): a deactivated user, or a token older than the user's last password change, reset or
/// change of role or region, answers 401; a user who must change their password may only do that (403 otherwise).
/// Tokens remembered by <see cref="RememberedTokens"/> pass here too, so remembering them revokes nothing later.
/// </summary>
internal static class TokenStampCheck
{
    /// <summary>What a user who must change their password may still do: read who they are, change it, sign in again.</summary>
    private static readonly string[] AllowedWhileMustChange = ["/api/me", "/api/me/password", "/api/auth/login"];

    public static IApplicationBuilder UseTokenStampCheck(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.User.Identity?.IsAuthenticated == true && context.User.FindFirst(TongxinClaims.UserId)?.Value is { } userId)
        {
            var stamps = context.RequestServices.GetRequiredService<UserStamps>();
            var state = await stamps.GetAsync(userId, context.RequestAborted);
            // Tokens issued before stamps existed carry none; they stand until the user's first change gives a stamp.
            var stamp = context.User.FindFirst(TongxinClaims.Stamp)?.Value ?? "";
            if (state is null || !state.Active || !string.Equals(state.Stamp, stamp, StringComparison.Ordinal))
            {
                throw new Errors.UnauthenticatedException(Text.HostTexts.Local("auth.revoked"));
            }
            if (state.MustChangePassword && !AllowedWhileMustChange.Contains(context.Request.Path.Value, StringComparer.Ordinal))
            {
                throw new Errors.AccessDeniedException(Text.HostTexts.Local("auth.mustChangePassword"));
            }
        }
        await next();
    });
}
