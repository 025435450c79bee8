using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tongxin.Host.Persistence;
using Tongxin.Host.Text;

namespace Tongxin.Host.Notifications;

/// <summary>
/// Works through the outbox (ADR 0022), on every host at once. Two steps, each taking its share by a claim that lapses
/// if its host dies: <see cref="DispatchAsync"/> turns new notifications into deliveries (one per channel the user
/// wants and has an address for, after quiet hours unless it is a concern) and claims those due now;
/// <see cref="SendClaimedAsync"/> sends them and records each answer (<see cref="SendDueAsync"/> the retries), trying again after a wait that doubles, up to a cap. At least once: a host that dies
/// after the gateway took a message but before recording it leaves the claim to lapse, and the message goes again
/// with the same id, by which the gateway (out-id) and mail readers (Message-Id) drop the repeat.
/// </summary>
internal sealed class NotificationSender(
    IDbContextFactory<TongxinDbContext> databases, IEnumerable<INotificationChannel> channels, NotificationTexts texts,
    IOptions<NotificationOptions> options, TimeProvider clock, ILogger<NotificationSender> logger)
{
    private readonly IReadOnlyList<INotificationChannel> _channels = channels.ToList();

    private NotificationOptions Options => options.Value;

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>
    /// Makes the deliveries of up to a batch of new notifications; answers how many notifications it took, and the claim
    /// on the deliveries due now, made in the same transaction, for <see cref="SendClaimedAsync"/> (one write fewer per
    /// round: on a busy SQLite each write waits its turn behind the requests' writes).
    /// </summary>
    public async Task<(int Dispatched, string? SendClaim)> DispatchAsync(CancellationToken cancellationToken)
    {
        var now = Now;
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var candidates = await db.Notifications.AsNoTracking()
            .Where(n => n.DispatchedAt == null && (n.ClaimedUntil == null || n.ClaimedUntil < now))
            .OrderBy(n => n.CreatedAt).Select(n => n.Id).Take(Options.BatchSize).ToListAsync(cancellationToken);
        if (candidates.Count == 0)
        {
            return (0, null);
        }
        var token = Ids.New();
        var until = now + Options.ClaimFor;
        // The condition is checked again on each row as it is updated: of two hosts, one gets it.
        await db.Notifications
            .Where(n => candidates.Contains(n.Id) && n.DispatchedAt == null && (n.ClaimedUntil == null || n.ClaimedUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.ClaimToken, token).SetProperty(n => n.ClaimedUntil, until), cancellationToken);
        var claimed = await db.Notifications.Where(n => n.ClaimToken == token).ToListAsync(cancellationToken);
        var sendClaim = Ids.New();
        var deliveries = _channels.Count > 0 ? await AddDeliveriesAsync(db, claimed, now, cancellationToken) : [];
        foreach (var delivery in deliveries.Where(d => d.Status == NotificationDeliveryStatus.Pending && d.NextAttemptAt <= now))
        {
            delivery.ClaimToken = sendClaim;
            delivery.ClaimedUntil = until;
        }
        foreach (var notification in claimed)
        {
            notification.DispatchedAt = now;
            notification.ClaimToken = null;
            notification.ClaimedUntil = null;
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e)
        {
            // A host whose claim had lapsed made some of these deliveries already; let the rest go at once, not in ClaimFor.
            logger.LogInformation(e, "Deliveries of {Count} notifications were made by another host meanwhile; the rest are dispatched again.", claimed.Count);
            await db.Notifications.Where(n => n.ClaimToken == token)
                .ExecuteUpdateAsync(s => s.SetProperty(n => n.ClaimToken, (string?)null).SetProperty(n => n.ClaimedUntil, (DateTime?)null), CancellationToken.None);
            return (claimed.Count, null);
        }
        return (claimed.Count, deliveries.Count > 0 ? sendClaim : null);
    }

    private async Task<List<NotificationDelivery>> AddDeliveriesAsync(TongxinDbContext db, IReadOnlyList<Notification> claimed, DateTime now, CancellationToken cancellationToken)
    {
        var made = new List<NotificationDelivery>();
        var userIds = claimed.Select(n => n.UserId).Distinct().ToList();
        var users = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, cancellationToken);
        var off = (await db.NotificationPreferences.AsNoTracking().Where(p => userIds.Contains(p.UserId) && !p.Enabled).ToListAsync(cancellationToken))
            .Select(p => (p.UserId, p.Event, p.Channel)).ToHashSet();
        foreach (var notification in claimed)
        {
            if (!users.TryGetValue(notification.UserId, out var user) || !user.Active)
            {
                continue;
            }
            foreach (var channel in _channels.Where(c => c.Carries(notification.Event)))
            {
                var address = channel.AddressOf(user);
                if (address is null || (off.Contains((user.Id, notification.Event, channel.Name)) && !NotificationRules.Locked(user.Role, notification.Event, channel.Name)))
                {
                    continue;
                }
                var failure = channel.Name == NotificationChannels.Sms ? user.PhoneFailure : user.EmailFailure;
                made.Add(new NotificationDelivery
                {
                    Id = Ids.New(), NotificationId = notification.Id, UserId = user.Id, Channel = channel.Name, Address = address,
                    Status = failure is null ? NotificationDeliveryStatus.Pending : NotificationDeliveryStatus.Skipped,
                    LastError = failure is null ? null : HostTexts.Get("notification.delivery.addressFailedBefore").En,
                    NextAttemptAt = IsUrgent(notification.Event) ? now : QuietHours.NextSendTime(now, Options.QuietFrom, Options.QuietUntil),
                    CreatedAt = now,
                });
            }
        }
        db.NotificationDeliveries.AddRange(made);
        return made;
    }

    /// <summary>Concerns go at any hour; everything else waits out the quiet hours.</summary>
    private static bool IsUrgent(string evt) => evt is NotificationEvents.ConcernRaised or NotificationEvents.ConcernEscalated;

    /// <summary>Sends up to a batch of due deliveries (retries, after quiet hours, lapsed claims) and records each answer; answers how many it took.</summary>
    public async Task<int> SendDueAsync(CancellationToken cancellationToken)
    {
        var now = Now;
        string token;
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            var candidates = await db.NotificationDeliveries.AsNoTracking()
                .Where(d => d.Status == NotificationDeliveryStatus.Pending && d.NextAttemptAt <= now && (d.ClaimedUntil == null || d.ClaimedUntil < now))
                .OrderBy(d => d.NextAttemptAt).Select(d => d.Id).Take(Options.BatchSize).ToListAsync(cancellationToken);
            if (candidates.Count == 0)
            {
                return 0;
            }
            token = Ids.New();
            var until = now + Options.ClaimFor;
            await db.NotificationDeliveries
                .Where(d => candidates.Contains(d.Id) && d.Status == NotificationDeliveryStatus.Pending && (d.ClaimedUntil == null || d.ClaimedUntil < now))
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.ClaimToken, token).SetProperty(d => d.ClaimedUntil, until), cancellationToken);
        }
        return await SendClaimedAsync(token, cancellationToken);
    }

    /// <summary>Sends the deliveries this host claimed with <paramref name="token"/> and records each answer.</summary>
    public async Task<int> SendClaimedAsync(string token, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var claimed = await db.NotificationDeliveries.Where(d => d.ClaimToken == token).ToListAsync(cancellationToken);
        if (claimed.Count == 0)
        {
            return 0;
        }
        var notificationIds = claimed.Select(d => d.NotificationId).Distinct().ToList();
        var notifications = await db.Notifications.AsNoTracking().Where(n => notificationIds.Contains(n.Id)).ToDictionaryAsync(n => n.Id, cancellationToken);
        var userIds = claimed.Select(d => d.UserId).Distinct().ToList();
        var users = await db.Users.Where(u => userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, cancellationToken);

        var results = new SendResult?[claimed.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, claimed.Count), new ParallelOptions { MaxDegreeOfParallelism = Options.Parallelism, CancellationToken = cancellationToken },
            async (i, ct) => results[i] = await SendOneAsync(claimed[i], notifications[claimed[i].NotificationId], users[claimed[i].UserId], ct));

        var done = Now;
        for (var i = 0; i < claimed.Count; i++)
        {
            Record(claimed[i], results[i], users[claimed[i].UserId], done);
        }
        // Recorded even while the host stops: an answer taken and not recorded would be sent again.
        await db.SaveChangesAsync(CancellationToken.None);
        return claimed.Count;
    }

    private async Task<SendResult?> SendOneAsync(NotificationDelivery delivery, Notification notification, UserAccount user, CancellationToken cancellationToken)
    {
        var failedAddress = delivery.Channel == NotificationChannels.Sms ? (user.PhoneFailure is null ? null : user.Phone) : (user.EmailFailure is null ? null : user.Email);
        if (failedAddress == delivery.Address)
        {
            return null; // refused since this delivery was made: skipped, below
        }
        var channel = _channels.FirstOrDefault(c => c.Name == delivery.Channel);
        if (channel is null)
        {
            return new SendResult(SendOutcome.TryAgain, $"channel {delivery.Channel} is not configured on this host");
        }
        var url = $"{Options.PublicUrl.TrimEnd('/')}/#{notification.Link}";
        var (text, templateValues) = texts.Message(notification, url);
        var message = new OutgoingMessage(notification.Id, notification.Event, delivery.Address, text, templateValues, url);
        try
        {
            return await channel.SendAsync(message, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new SendResult(SendOutcome.TryAgain, SmsGatewayChannel.Clip($"{e.GetType().Name}: {e.Message}"));
        }
    }

    private void Record(NotificationDelivery delivery, SendResult? result, UserAccount user, DateTime now)
    {
        delivery.ClaimToken = null;
        delivery.ClaimedUntil = null;
        if (result is null)
        {
            delivery.Status = NotificationDeliveryStatus.Skipped;
            delivery.LastError = HostTexts.Get("notification.delivery.addressFailedBefore").En;
            return;
        }
        delivery.Attempts++;
        switch (result.Outcome)
        {
            case SendOutcome.Sent:
                delivery.Status = NotificationDeliveryStatus.Sent;
                delivery.SentAt = now;
                delivery.ProviderMessageId = result.ProviderMessageId is { Length: > 100 } id ? id[..100] : result.ProviderMessageId;
                break;
            case SendOutcome.AddressRefused:
                delivery.Status = NotificationDeliveryStatus.Failed;
                delivery.LastError = result.Detail;
                FlagAddress(user, delivery, result.Detail ?? "", now);
                logger.LogWarning("The {Channel} address of user {User} was refused: {Detail}", delivery.Channel, user.Id, result.Detail);
                break;
            default:
                delivery.LastError = result.Detail;
                if (delivery.Attempts >= Options.MaxAttempts)
                {
                    delivery.Status = NotificationDeliveryStatus.Failed;
                    logger.LogError("Notification {Notification} by {Channel} given up after {Attempts} attempts: {Detail}", delivery.NotificationId, delivery.Channel, delivery.Attempts, result.Detail);
                }
                else
                {
                    delivery.NextAttemptAt = now + RetryDelay(delivery.Attempts);
                }
                break;
        }
    }

    private TimeSpan RetryDelay(int attempts) => RetryDelay(attempts, Options.FirstRetryDelay, Options.MaxRetryDelay);

    /// <summary>After attempt n: the first delay doubled n - 1 times, capped.</summary>
    internal static TimeSpan RetryDelay(int attempts, TimeSpan first, TimeSpan max) =>
        TimeSpan.FromTicks((long)Math.Min(first.Ticks * Math.Pow(2, attempts - 1), max.Ticks));

    private static void FlagAddress(UserAccount user, NotificationDelivery delivery, string detail, DateTime now)
    {
        // Only while the address is still the one refused: a number changed meanwhile deserves its chance.
        if (delivery.Channel == NotificationChannels.Sms && user.Phone == delivery.Address)
        {
            user.PhoneFailure = detail;
            user.PhoneFailedAt = now;
        }
        else if (delivery.Channel == NotificationChannels.Email && user.Email == delivery.Address)
        {
            user.EmailFailure = detail;
            user.EmailFailedAt = now;
        }
    }
}

/// <summary>The quiet hours, in China Standard Time (UTC+8 all year).</summary>
public static class QuietHours
{
    private static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    /// <summary><paramref name="utcNow"/> itself outside the quiet hours, else their end. Equal bounds mean no quiet hours.</summary>
    public static DateTime NextSendTime(DateTime utcNow, TimeOnly from, TimeOnly until)
    {
        if (from == until)
        {
            return utcNow;
        }
        var local = utcNow + ChinaOffset;
        var time = TimeOnly.FromDateTime(local);
        var quiet = from < until ? time >= from && time < until : time >= from || time < until;
        if (!quiet)
        {
            return utcNow;
        }
        // Past midnight (or a window within one day), the end is today; before midnight, tomorrow.
        var endDay = from > until && time >= from ? local.Date.AddDays(1) : local.Date;
        return DateTime.SpecifyKind(endDay + until.ToTimeSpan() - ChinaOffset, DateTimeKind.Utc);
    }
}

/// <summary>The sender's loop: a round every <see cref="NotificationOptions.PollEvery"/>, rounds back to back while there is a backlog.</summary>
internal sealed class NotificationSenderWorker(NotificationSender sender, IOptions<NotificationOptions> options, ILogger<NotificationSenderWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.SendEnabled)
        {
            return;
        }
        try
        {
            await Task.Delay(options.Value.PollEvery, stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                var backlog = false;
                try
                {
                    var (dispatched, sendClaim) = await sender.DispatchAsync(stoppingToken);
                    var sent = sendClaim is null ? 0 : await sender.SendClaimedAsync(sendClaim, stoppingToken);
                    sent += await sender.SendDueAsync(stoppingToken);
                    // Straight on only while a batch came full (a backlog). Otherwise wait: under a steady stream of
                    // changes, rounds back to back took a few rows each at the cost of all their queries (measured:
                    // accepts at 0.6 of their throughput without notifications); waiting gathers them into one round.
                    backlog = dispatched >= options.Value.BatchSize || sent >= options.Value.BatchSize;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The database away for a moment: nothing is lost (the rows wait), the next round tries again.
                    logger.LogError(e, "Sending notifications failed; the next round tries again.");
                    await Task.Delay(options.Value.PollEvery * 4, stoppingToken);
                }
                if (!backlog)
                {
                    await Task.Delay(options.Value.PollEvery, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
