using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;
using Tongxin.Host.Regions;

namespace Tongxin.Host.Safeguarding;

/// <summary>A concern to pass on at once: ids and kind only, never the details.</summary>
public sealed record ConcernNotice(string ConcernId, string ChildId, string Kind, string TownCode, string CountyCode, bool Escalated, IReadOnlyList<string> RecipientUserIds);

/// <summary>The notice of a concern: the town's supervisors and the county's civil affairs, by id.</summary>
internal static class ConcernNotices
{
    public static async Task<ConcernNotice> ForAsync(TongxinDbContext db, Concern concern, bool escalated, CancellationToken cancellationToken)
    {
        var townPath = $"/{RegionPaths.County(concern.RegionPath)}/{RegionPaths.Town(concern.RegionPath)}/";
        var countyPath = $"/{RegionPaths.County(concern.RegionPath)}/";
        var recipients = await db.Users.AsNoTracking()
            .Where(u => u.Active && ((u.Role == Role.Supervisor && u.RegionPath == townPath) || (u.Role == Role.CivilAffairs && u.RegionPath == countyPath)))
            .Select(u => u.Id).ToListAsync(cancellationToken);
        return new ConcernNotice(concern.Id, concern.ChildId, concern.Kind.ToString(), RegionPaths.Town(concern.RegionPath), RegionPaths.County(concern.RegionPath), escalated, recipients);
    }
}

/// <summary>
/// Where a new or escalated concern goes besides the supervisor's and civil affairs' lists (SMS, the
/// county's messaging platform...). The default only logs that it happened; a deployment registers its own.
/// </summary>
public interface IConcernNotifier
{
    Task NotifyAsync(ConcernNotice notice, CancellationToken cancellationToken);
}

internal sealed class LogOnlyConcernNotifier(ILogger<LogOnlyConcernNotifier> logger) : IConcernNotifier
{
    public Task NotifyAsync(ConcernNotice notice, CancellationToken cancellationToken)
    {
        logger.LogWarning("Concern {ConcernId} ({Kind}{Escalated}) for a child of town {Town}: {Count} people notified.",
            notice.ConcernId, notice.Kind, notice.Escalated ? ", escalated" : "", notice.TownCode, notice.RecipientUserIds.Count);
        return Task.CompletedTask;
    }
}
