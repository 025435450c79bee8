using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Caching.Distributed;
using Tongxin.Host.Errors;
using Tongxin.Host.Identity;
using Tongxin.Host.Text;

namespace Tongxin.Host.Security;

/// <summary>
/// <c>RateLimits:*</c>: failed logins per user name within a window (then 429 until it passes), and list
/// and export requests per signed-in user per minute — so a stolen account cannot be guessed at or
/// used to copy out a county's files quickly.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";
    public const string ListsAndExports = "lists-and-exports";

    public int LoginFailures { get; set; } = 5;
    public TimeSpan LoginWindow { get; set; } = TimeSpan.FromMinutes(15);
    public int ListsPerMinute { get; set; } = 120;
}

/// <summary>
/// Failed logins are counted per user name in the shared cache (<see cref="IDistributedCache"/>: every host of
/// a deployment counts together once a shared cache is configured).
/// </summary>
public sealed class LoginThrottle(IDistributedCache cache, Microsoft.Extensions.Options.IOptions<RateLimitOptions> options, TimeProvider clock)
{
    private static string Key(string userName) => "login-failures:" + userName.ToLowerInvariant();

    public async Task EnsureAllowedAsync(string userName, CancellationToken cancellationToken)
    {
        var (count, windowEnds) = await ReadAsync(userName, cancellationToken);
        var now = clock.GetUtcNow();
        if (count >= options.Value.LoginFailures && windowEnds > now)
        {
            throw new TooManyRequestsException(HostTexts.Local("auth.tooMany", (int)Math.Ceiling((windowEnds - now).TotalMinutes)), windowEnds - now);
        }
    }

    public async Task RecordFailureAsync(string userName, CancellationToken cancellationToken)
    {
        var (count, windowEnds) = await ReadAsync(userName, cancellationToken);
        var now = clock.GetUtcNow();
        if (windowEnds <= now)
        {
            (count, windowEnds) = (0, now + options.Value.LoginWindow);
        }
        await cache.SetStringAsync(Key(userName), $"{count + 1}|{windowEnds.UtcTicks}",
            new DistributedCacheEntryOptions { AbsoluteExpiration = windowEnds }, cancellationToken);
    }

    public Task RecordSuccessAsync(string userName, CancellationToken cancellationToken) => cache.RemoveAsync(Key(userName), cancellationToken);

    private async Task<(int Count, DateTimeOffset WindowEnds)> ReadAsync(string userName, CancellationToken cancellationToken)
    {
        var value = await cache.GetStringAsync(Key(userName), cancellationToken);
        var parts = value?.Split('|');
        return parts is { Length: 2 } && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var count) && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var ticks)
            ? (count, new DateTimeOffset(ticks, TimeSpan.Zero))
            : (0, DateTimeOffset.MinValue);
    }
}

public static class RateLimitSetup
{
    public static IServiceCollection AddTongxinRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(RateLimitOptions.Section).Get<RateLimitOptions>() ?? new RateLimitOptions();
        services.Configure<RateLimitOptions>(configuration.GetSection(RateLimitOptions.Section));
        services.AddSingleton<LoginThrottle>();
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(RateLimitOptions.ListsAndExports, context => RateLimitPartition.GetFixedWindowLimiter(
                context.User.FindFirstValue(TongxinClaims.UserId) ?? context.Connection.RemoteIpAddress?.ToString() ?? "anonymous",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = options.ListsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var http = context.HttpContext;
                http.Response.Headers.RetryAfter = "60";
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = HostTexts.Local("problem.tooMany"),
                        Detail = HostTexts.Local("rate.lists", options.ListsPerMinute),
                        Type = "https://tongxin.local/problems/tooMany",
                    },
                });
            };
        });
        return services;
    }
}
