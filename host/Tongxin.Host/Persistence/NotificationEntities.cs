namespace Tongxin.Host.Persistence;

/// <summary>
/// Something one person must hear of (issue 17): written in the same transaction as the change it tells of, so it is
/// never lost between the commit and the telling. It is the in-app inbox's row. It carries no personal data beyond a
/// child's given name: the rest is behind the link, which asks for a sign-in.
/// </summary>
public sealed class Notification
{
    public required string Id { get; init; }
    public required string UserId { get; init; }
    /// <summary>What happened: <see cref="Notifications.NotificationEvents"/>.</summary>
    public required string Event { get; init; }
    /// <summary>The app's route of the thing, e.g. <c>/needs/{id}</c>.</summary>
    public required string Link { get; init; }
    /// <summary>JSON object of the text's values: the service line's key, a child's given name, a count. Never a family name.</summary>
    public required string ArgsJson { get; init; }
    public required DateTime CreatedAt { get; init; }
    public DateTime? ReadAt { get; set; }
}
