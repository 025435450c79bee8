namespace Tongxin.Host.Safeguarding;

/// <summary>A concern to pass on at once: ids and kind only, never the details.</summary>
public sealed record ConcernNotice(string ConcernId, string ChildId, string Kind, string TownCode, string CountyCode, bool Escalated, IReadOnlyList<string> RecipientUserIds);

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
