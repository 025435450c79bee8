using Tongxin.Host.Persistence;
using Tongxin.Host.Regions;

namespace Tongxin.Host.Safeguarding;

/// <summary>A concern to pass on at once: ids and kind only, never the details.</summary>
public sealed record ConcernNotice(string ConcernId, string ChildId, string Kind, string TownCode, string CountyCode, bool Escalated, IReadOnlyList<string> RecipientUserIds);

/// <summary>The notice of a concern, to the people its notifications went to (the town's supervisors and the county's civil affairs).</summary>
internal static class ConcernNotices
{
    public static ConcernNotice For(Concern concern, bool escalated, IReadOnlyList<string> recipients) =>
        new(concern.Id, concern.ChildId, concern.Kind.ToString(), RegionPaths.Town(concern.RegionPath), RegionPaths.County(concern.RegionPath), escalated, recipients);
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
