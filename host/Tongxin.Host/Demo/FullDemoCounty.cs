using System.Diagnostics;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Escalation;
using Tongxin.Host.Notifications;
using Tongxin.Host.Persistence;
using Tongxin.Host.Requests;
using Tongxin.Host.Security;

namespace Tongxin.Host.Demo;

/// <summary>What one seeding did: how many rows, and how long making them and inserting them took.</summary>
public sealed record FullDemoCountySeeded(int Rows, int Children, TimeSpan Build, TimeSpan Insert);

/// <summary>
/// <c>Demo:County</c> (or <c>--demo=county</c>): a full-size demo county, 青山县（示范）, to look at the product as a county
/// would use it: 3,000 children in 8 towns and 60 villages with a year of calls and visits, 400 volunteers, the women's
/// federation's and the youth league's programmes, two purchased-service contracts with a year of deliveries, concerns
/// at every step, and requests for help waiting long enough to escalate. The same county every time (a seeded random and
/// fixed names; <see cref="FullDemoCountyRows"/>); times are relative to now. Every account's password is
/// <see cref="DemoCounty.Password"/>, and the small demo's user names sign in here too.
/// </summary>
public static class FullDemoCounty
{
    public const string CountyCode = "500299";
    public const int Children = 3_000;
    public const int Volunteers = 400;

    /// <summary>Rows inserted per SaveChanges: bounds the memory of the change tracker, all in one transaction.</summary>
    private const int RowsPerSave = 20_000;

    /// <summary>Seeds the county once; null when it was there already (or the small demo holds the same user names).</summary>
    public static async Task<FullDemoCountySeeded?> SeedAsync(IServiceProvider services, ILogger logger, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var databases = scope.ServiceProvider.GetRequiredService<IDbContextFactory<TongxinDbContext>>();
        await using (var check = await databases.CreateDbContextAsync(cancellationToken))
        {
            if (await check.Regions.AnyAsync(r => r.Code == CountyCode, cancellationToken))
            {
                return null;
            }
            if (await check.Regions.AnyAsync(r => r.Code == DemoCounty.CountyCode, cancellationToken))
            {
                // Both demos use the README's user names: they cannot share a database.
                logger.LogWarning("The small demo county is in this database: the full demo county is not seeded. Start --demo=county on a database of its own (Database__ConnectionString).");
                return null;
            }
        }
        var clock = scope.ServiceProvider.GetRequiredService<TimeProvider>();
        var hasher = scope.ServiceProvider.GetRequiredService<IPasswordHasher<UserAccount>>();
        var cipher = scope.ServiceProvider.GetRequiredService<FieldCipher>();

        var watch = Stopwatch.StartNew();
        var placeholder = new UserAccount { Id = "", UserName = "", PasswordHash = "", Role = Role.Volunteer, RegionCode = "", RegionPath = "" };
        var rows = FullDemoCountyRows.Build(clock.GetUtcNow().UtcDateTime, clock.Today(), cipher, hasher.HashPassword(placeholder, DemoCounty.Password));
        var built = watch.Elapsed;

        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            // Only inserts: nothing to detect, and each slice is forgotten once saved.
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var pending = 0;
            foreach (var table in rows.Tables)
            {
                foreach (var row in table)
                {
                    db.Add(row);
                    if (++pending == RowsPerSave)
                    {
                        await db.SaveChangesAsync(cancellationToken);
                        db.ChangeTracker.Clear();
                        pending = 0;
                    }
                }
            }
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        var seeded = new FullDemoCountySeeded(rows.Count, rows.Children.Count, built, watch.Elapsed - built);
        logger.LogInformation(
            "Full demo county seeded: {Rows} rows ({Children} children, {Contacts} contacts, {Providers} volunteers and programmes, {Needs} open needs) in {Seconds:F1} s (made in {Build:F1} s, inserted in {Insert:F1} s). Users civil, supervisor, director, fulian, tuanwei, shegong, volunteer, director-01 … director-60, supervisor-01 … supervisor-08, volunteer-001 … volunteer-040; password {Password}.",
            rows.Count, rows.Children.Count, rows.Contacts.Count, rows.Providers.Count, rows.Needs.Count, watch.Elapsed.TotalSeconds, built.TotalSeconds,
            seeded.Insert.TotalSeconds, DemoCounty.Password);
        return seeded;
    }

    /// <summary>
    /// What the product's timers would do in the first half hour, done once after seeding so a first look shows it: the
    /// sweep that makes unplaced needs climb (their reasons read at this moment), and the daily notices (the directors'
    /// overdue digests, the contracts running out). Matching is not run here: the host wakes every line and county with
    /// open needs once it has started (<see cref="Matching.MatchingWorker"/>), as after any restart.
    /// </summary>
    public static async Task RunFirstSweepsAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await services.GetRequiredService<NeedEscalator>().SweepAsync(CountyCode, cancellationToken);
        await services.GetRequiredService<DailyNotices>().RunAsync(cancellationToken);
    }
}
