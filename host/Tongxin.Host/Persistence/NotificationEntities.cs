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

    /// <summary>When the sender made its deliveries (one per channel the user wants and has an address for); null until then.</summary>
    public DateTime? DispatchedAt { get; set; }
    /// <summary>The sender holding it now (several hosts share the work); lapses at <see cref="ClaimedUntil"/> if that host dies.</summary>
    public string? ClaimToken { get; set; }
    public DateTime? ClaimedUntil { get; set; }
}

public enum NotificationDeliveryStatus
{
    /// <summary>To be sent at <see cref="NotificationDelivery.NextAttemptAt"/> (now, after a failure, or after quiet hours).</summary>
    Pending,
    Sent,
    /// <summary>Given up: the address was refused, or the attempts ran out. The error says which.</summary>
    Failed,
    /// <summary>Not tried: the address had failed before and has not been changed since.</summary>
    Skipped,
}

/// <summary>
/// One notification on one channel outside the app (SMS, mail): its attempts, its next try and the last answer. Unique
/// per notification and channel, so it is made once however many hosts dispatch; the notification's id goes with every
/// attempt (the SMS gateway's out-id, the mail's Message-Id), so a resend after a crash is recognised as the same message.
/// </summary>
public sealed class NotificationDelivery
{
    public required string Id { get; init; }
    public required string NotificationId { get; init; }
    public required string UserId { get; init; }
    /// <summary><c>sms</c> or <c>email</c> (<see cref="Notifications.NotificationChannels"/>).</summary>
    public required string Channel { get; init; }
    /// <summary>The phone number or mail address as it was when the delivery was made: the one the error is about.</summary>
    public required string Address { get; init; }
    public NotificationDeliveryStatus Status { get; set; }
    public int Attempts { get; set; }
    public required DateTime NextAttemptAt { get; set; }
    public string? ClaimToken { get; set; }
    public DateTime? ClaimedUntil { get; set; }
    /// <summary>The gateway's or mail server's last answer to a failed attempt (never shown to a child director).</summary>
    public string? LastError { get; set; }
    /// <summary>The gateway's own id of the message (its receipt).</summary>
    public string? ProviderMessageId { get; set; }
    public DateTime? SentAt { get; set; }
    public required DateTime CreatedAt { get; init; }
}

/// <summary>A user's choice for one event on one channel; without a row, the default (on) holds.</summary>
public sealed class NotificationPreference
{
    public required string UserId { get; init; }
    public required string Event { get; init; }
    public required string Channel { get; init; }
    public bool Enabled { get; set; }
}
