using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Persistence;

namespace Tongxin.Host.Identity;

/// <summary>
/// <c>Bootstrap:AdminUserName</c> and <c>Bootstrap:AdminPassword</c>: the first administrator. There is
/// no built-in password: outside demo mode, a host with no users and no bootstrap settings says so
/// in its log and nobody can sign in until one is configured.
/// </summary>
public sealed class BootstrapOptions
{
    public const string Section = "Bootstrap";
    public const int MinimumPasswordLength = 8;

    public string? AdminUserName { get; set; }
    public string? AdminPassword { get; set; }
}

public static class BootstrapAdmin
{
    /// <summary>The admin sees every region: every region path starts with "/".</summary>
    public const string EverywherePath = "/";

    public static async Task EnsureAdminAsync(IServiceProvider services, BootstrapOptions options, ILogger logger, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TongxinDbContext>();
        if (string.IsNullOrWhiteSpace(options.AdminUserName) || string.IsNullOrEmpty(options.AdminPassword))
        {
            if (!await db.Users.AnyAsync(cancellationToken))
            {
                logger.LogWarning("No users and no first administrator configured: set Bootstrap__AdminUserName and Bootstrap__AdminPassword, or start with --demo.");
            }
            return;
        }
        if (options.AdminPassword.Length < BootstrapOptions.MinimumPasswordLength)
        {
            throw new InvalidOperationException($"Bootstrap:AdminPassword must be at least {BootstrapOptions.MinimumPasswordLength} characters.");
        }
        if (await db.Users.AnyAsync(u => u.UserName == options.AdminUserName, cancellationToken))
        {
            return;
        }
        var hasher = scope.ServiceProvider.GetRequiredService<IPasswordHasher<UserAccount>>();
        var clock = scope.ServiceProvider.GetRequiredService<TimeProvider>();
        var admin = new UserAccount
        {
            Id = Ids.New(),
            UserName = options.AdminUserName,
            PasswordHash = "",
            Role = Role.Admin,
            RegionCode = "",
            RegionPath = EverywherePath,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        admin.PasswordHash = hasher.HashPassword(admin, options.AdminPassword);
        db.Users.Add(admin);
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Created the first administrator {UserName}.", admin.UserName);
    }
}
