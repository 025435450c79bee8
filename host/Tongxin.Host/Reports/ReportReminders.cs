using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tongxin.Host.Identity;
using Tongxin.Host.Notifications;
using Tongxin.Host.Persistence;
using Tongxin.Host.Regions;
using Tongxin.Host.Requests;

namespace Tongxin.Host.Reports;

/// <summary><c>Reports:*</c>: how many days ahead towns are reminded of the quarterly ledger and the annual report.</summary>
public sealed class ReportOptions
{
    public const string Section = "Reports";

    public int LedgerReminderDays { get; set; } = 7;
    public int AnnualReminderDays { get; set; } = 14;
    public TimeSpan ReminderCheckEvery { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>
/// Reminds each town, once, that its quarterly ledger is due by the 20th of the quarter's last month (002 §5.2)
/// and its annual progress report by 1 November (003 §4.2), <see cref="ReportOptions"/> days ahead. A reminder
/// is a row (unique per report, period and town, so several hosts make it once) shown in the supervisors' and
/// civil affairs' lists.
/// </summary>
public sealed class ReportReminderService(IDbContextFactory<TongxinDbContext> databases, TimeProvider clock, IOptions<ReportOptions> options, ILogger<ReportReminderService> logger)
{
    public async Task<int> CreateDueAsync(string? countyCode, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var today = clock.Today();
        var due = new List<(string Kind, ReportPeriod Period)>();
        var quarter = ReportPeriod.Quarter(null, now);
        if (today >= quarter.DueOn.AddDays(-options.Value.LedgerReminderDays) && today <= quarter.DueOn)
        {
            due.Add(("ledger", quarter));
        }
        var year = ReportPeriod.ProgressYear(null, now);
        if (today >= year.DueOn.AddDays(-options.Value.AnnualReminderDays) && today < year.DueOn)
        {
            due.Add(("annual", year));
        }
        if (due.Count == 0)
        {
            return 0;
        }
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var towns = db.Regions.AsNoTracking().Where(r => r.Kind == RegionKind.Town);
        if (countyCode is not null)
        {
            towns = towns.Where(r => r.Path.StartsWith("/" + countyCode + "/"));
        }
        var townList = await towns.ToListAsync(cancellationToken);
        var created = 0;
        foreach (var (kind, period) in due)
        {
            var made = (await db.ReportReminders.AsNoTracking().Where(r => r.Kind == kind && r.Period == period.Name).Select(r => r.TownCode).ToListAsync(cancellationToken)).ToHashSet();
            foreach (var town in townList.Where(t => !made.Contains(t.Code)))
            {
                db.ReportReminders.Add(new ReportReminder
                {
                    Id = Ids.New(), Kind = kind, Period = period.Name, TownCode = town.Code, RegionPath = town.Path, DueOn = period.DueOn, CreatedAt = now,
                });
                // The town's supervisors hear of it with the reminder itself (issue 17): once, as the reminder is.
                Outbox.Add(db, await NotificationRecipients.TownAsync(db, town.Path, andCounty: false, cancellationToken),
                    kind == "ledger" ? NotificationEvents.LedgerDue : NotificationEvents.AnnualReportDue, "/reports",
                    new NotificationArgs(Count: period.DueOn.DayNumber - today.DayNumber), now);
                try
                {
                    await db.SaveChangesAsync(cancellationToken);
                    created++;
                }
                catch (DbUpdateException)
                {
                    // Another host made this very reminder a moment ago.
                    db.ChangeTracker.Clear();
                }
            }
        }
        if (created > 0)
        {
            logger.LogInformation("{Count} report reminders sent to towns.", created);
        }
        return created;
    }
}

internal sealed class ReportReminderWorker(ReportReminderService reminders, IOptions<ReportOptions> options, TimeProvider clock, ILogger<ReportReminderWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ReminderCheckEvery, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await reminders.CreateDueAsync(null, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Making report reminders failed; the next check tries again.");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}

/// <summary><c>GET /api/reports/reminders?regionCode=</c>: reports due soon (or lately) for the towns in the caller's region.</summary>
[AllowedRoles(Role.Supervisor, Role.CivilAffairs)]
[NotAudited("Reports due per town (kind, period, due date): nothing about a child or any person.")]
public sealed record ListReportReminders(string? RegionCode) : IRequest<IReadOnlyList<ReminderView>>;

public sealed record ReminderView(string Kind, string Period, string TownCode, string TownName, DateOnly DueOn, int DaysLeft, DateTime CreatedAt);

/// <summary><c>POST /api/reports/reminders/run</c> <c>{ regionCode? }</c>: make the reminders due now for the caller's county (also runs on a timer).</summary>
[AllowedRoles(Role.CivilAffairs)]
[NotAudited("Makes the towns' report reminders (kind, period, due date), as the timer does: nothing about a child or any person.")]
public sealed record RunReportReminders(string? RegionCode) : IRequest<RemindersMade>;

public sealed record RemindersMade(int Created);

internal sealed class ListReportRemindersHandler(TongxinDbContext db, RegionDirectory regions, ICallerAccessor callers, TimeProvider clock) : IRequestHandler<ListReportReminders, IReadOnlyList<ReminderView>>
{
    public async Task<IReadOnlyList<ReminderView>> Handle(ListReportReminders request, CancellationToken cancellationToken)
    {
        var scope = await regions.ResolveScopeAsync(request.RegionCode, callers.Current!, cancellationToken);
        var today = clock.Today();
        // A supervisor's scope is the town itself; a village's director has no report to make.
        var since = today.AddDays(-31);
        var reminders = await db.ReportReminders.AsNoTracking()
            .Where(r => (r.RegionPath.StartsWith(scope) || scope.StartsWith(r.RegionPath)) && r.DueOn >= since)
            .ToListAsync(cancellationToken);
        var codes = reminders.Select(r => r.TownCode).Distinct().ToList();
        var names = await db.Regions.AsNoTracking().Where(r => codes.Contains(r.Code)).ToDictionaryAsync(r => r.Code, r => r.Name, cancellationToken);
        return reminders
            .OrderBy(r => r.DueOn).ThenBy(r => r.Kind, StringComparer.Ordinal).ThenBy(r => r.TownCode, StringComparer.Ordinal)
            .Select(r => new ReminderView(r.Kind, r.Period, r.TownCode, names.GetValueOrDefault(r.TownCode, r.TownCode), r.DueOn, r.DueOn.DayNumber - today.DayNumber, r.CreatedAt))
            .ToList();
    }
}

internal sealed class RunReportRemindersHandler(RegionDirectory regions, ReportReminderService reminders, ICallerAccessor callers) : IRequestHandler<RunReportReminders, RemindersMade>
{
    public async Task<RemindersMade> Handle(RunReportReminders request, CancellationToken cancellationToken)
    {
        var scope = await regions.ResolveScopeAsync(request.RegionCode, callers.Current!, cancellationToken);
        return new(await reminders.CreateDueAsync(RegionPaths.County(scope), cancellationToken));
    }
}
