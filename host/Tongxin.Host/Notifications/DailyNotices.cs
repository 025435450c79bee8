using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;
using Tongxin.Host.Regions;
using Tongxin.Host.Safeguarding;

namespace Tongxin.Host.Notifications;

/// <summary><c>Notifications:Daily:*</c>: when the daily notices go, and what counts as a contract running out.</summary>
public sealed class DailyNoticeOptions
{
    public const string Section = "Notifications:Daily";

    /// <summary>The China time from which the day's digest is made (the sender holds it past quiet hours anyway).</summary>
    public TimeOnly DigestFrom { get; set; } = new(8, 0);

    public TimeSpan CheckEvery { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>A contract is nearly used up when this share of its units is delivered.</summary>
    public double NearlyUsedShare { get; set; } = 0.9;

    /// <summary>A contract is ending when this few days are left.</summary>
    public int EndingWithinDays { get; set; } = 30;
}

/// <summary>
/// The notices nobody's action triggers: each director's daily digest of the children whose weekly contact or monthly
/// visit is late (003 §8), and a contract nearly used up or ending, to civil affairs and the organisation delivering
/// it. Each notice's id is derived from what it is about (kind, subject, person, day), so however many hosts run this,
/// it is written once; the report reminders are written with their reminder (<see cref="Reports.ReportReminderService"/>).
/// </summary>
internal sealed class DailyNotices(
    IDbContextFactory<TongxinDbContext> databases, IServiceScopeFactory scopes, IOptions<DailyNoticeOptions> options, TimeProvider clock, ILogger<DailyNotices> logger)
{
    /// <summary>Writes the notices due now; answers how many were new.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var china = now.AddHours(8);
        var written = await ContractNoticesAsync(now, DateOnly.FromDateTime(china), cancellationToken);
        if (TimeOnly.FromDateTime(china) >= options.Value.DigestFrom)
        {
            written += await OverdueDigestsAsync(now, DateOnly.FromDateTime(china), cancellationToken);
        }
        if (written > 0)
        {
            logger.LogInformation("{Count} daily notices written.", written);
        }
        return written;
    }

    private async Task<int> OverdueDigestsAsync(DateTime now, DateOnly day, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var directors = await db.Users.AsNoTracking().Where(u => u.Active && u.Role == Role.ChildDirector).Select(u => new { u.Id, u.RegionPath }).ToListAsync(cancellationToken);
        var notices = new List<Notification>();
        using var scope = scopes.CreateScope();
        var rhythm = scope.ServiceProvider.GetRequiredService<FollowupRhythm>();
        foreach (var county in directors.Select(d => RegionPaths.County(d.RegionPath)).Distinct())
        {
            var late = (await rhythm.AllAsync($"/{county}/", cancellationToken))
                .Where(c => c.ContactOverdueDays > 0 || c.VisitOverdueDays > 0)
                .GroupBy(c => c.VillageCode).ToDictionary(g => g.Key, g => g.Count());
            foreach (var director in directors.Where(d => RegionPaths.County(d.RegionPath) == county))
            {
                if (late.TryGetValue(RegionPaths.Village(director.RegionPath), out var count))
                {
                    notices.Add(Notice(NotificationEvents.ContactOverdue, day.ToString("yyyy-MM-dd"), director.Id, "/children", new NotificationArgs(Count: count), now));
                }
            }
        }
        return await WriteNewAsync(db, notices, cancellationToken);
    }

    private async Task<int> ContractNoticesAsync(DateTime now, DateOnly today, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var o = options.Value;
        var endingBy = today.AddDays(o.EndingWithinDays);
        var contracts = await db.Contracts.AsNoTracking()
            .Where(c => c.EndsOn >= today && (c.EndsOn <= endingBy || c.DeliveredUnits >= c.Units * o.NearlyUsedShare))
            .Select(c => new { c.Id, c.Line, c.RegionPath, c.OrganisationId, c.EndsOn, c.Units, c.DeliveredUnits })
            .ToListAsync(cancellationToken);
        var notices = new List<Notification>();
        foreach (var contract in contracts)
        {
            var people = (await NotificationRecipients.CountyAsync(db, contract.RegionPath, cancellationToken))
                .Concat(await db.Users.AsNoTracking().Where(u => u.Active && u.OrganisationId == contract.OrganisationId && u.Role == Role.SocialWorkOrg)
                    .Select(u => u.Id).ToListAsync(cancellationToken))
                .Distinct().ToList();
            foreach (var person in people)
            {
                if (contract.EndsOn <= endingBy)
                {
                    notices.Add(Notice(NotificationEvents.ContractEnding, contract.Id, person, $"/contracts/{contract.Id}",
                        new NotificationArgs(contract.Line, Count: contract.EndsOn.DayNumber - today.DayNumber), now));
                }
                if (contract.DeliveredUnits >= contract.Units * o.NearlyUsedShare)
                {
                    notices.Add(Notice(NotificationEvents.ContractNearlyUsed, contract.Id, person, $"/contracts/{contract.Id}",
                        new NotificationArgs(contract.Line, Count: Math.Max(0, contract.Units - contract.DeliveredUnits)), now));
                }
            }
        }
        return await WriteNewAsync(db, notices, cancellationToken);
    }

    private static Notification Notice(string evt, string subject, string userId, string link, NotificationArgs args, DateTime now) => new()
    {
        Id = NoticeId(evt, subject, userId), UserId = userId, Event = evt, Link = link, ArgsJson = Outbox.Serialize(args), CreatedAt = now,
    };

    /// <summary>The same notice about the same thing for the same person has the same id (32 hex characters, like every id).</summary>
    internal static string NoticeId(string evt, string subject, string userId) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{evt}|{subject}|{userId}")))[..32];

    private static async Task<int> WriteNewAsync(TongxinDbContext db, List<Notification> notices, CancellationToken cancellationToken)
    {
        var written = 0;
        foreach (var chunk in notices.Chunk(500))
        {
            var ids = chunk.Select(n => n.Id).ToList();
            var existing = (await db.Notifications.AsNoTracking().Where(n => ids.Contains(n.Id)).Select(n => n.Id).ToListAsync(cancellationToken)).ToHashSet();
            var fresh = chunk.Where(n => !existing.Contains(n.Id)).ToList();
            if (fresh.Count == 0)
            {
                continue;
            }
            db.Notifications.AddRange(fresh);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                written += fresh.Count;
            }
            catch (DbUpdateException)
            {
                // Another host wrote these very notices a moment ago.
                db.ChangeTracker.Clear();
            }
        }
        return written;
    }
}

internal sealed class DailyNoticeWorker(DailyNotices notices, Care.CareReview care, IOptions<DailyNoticeOptions> options, TimeProvider clock, ILogger<DailyNoticeWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CheckEvery, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await notices.RunAsync(stoppingToken);
                    // Agreements that ran out raise their children's risk (issue 19), on the same daily rhythm.
                    await care.RunAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Writing the daily notices failed; the next check tries again.");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
