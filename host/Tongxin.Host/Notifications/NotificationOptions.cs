namespace Tongxin.Host.Notifications;

/// <summary><c>Notifications:*</c>: how the sender works through the outbox (ADR 0022).</summary>
public sealed class NotificationOptions
{
    public const string Section = "Notifications";

    /// <summary>Whether this host sends at all (every host does by default; they share the work).</summary>
    public bool SendEnabled { get; set; } = true;

    /// <summary>How often an idle sender looks for work. Commit to gateway waits at most this long, plus the send.</summary>
    public TimeSpan PollEvery { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How many notifications or deliveries one host takes at a time.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>How many sends run at once on one host.</summary>
    public int Parallelism { get; set; } = 8;

    /// <summary>How long a host holds what it took: another host takes it over after this (its host died). Longer than a send.</summary>
    public TimeSpan ClaimFor { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The wait after the first failed attempt; each further failure doubles it, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Attempts before a delivery is given up (with the defaults, about four hours of trying).</summary>
    public int MaxAttempts { get; set; } = 12;

    /// <summary>Quiet hours in China Standard Time (UTC+8, no daylight saving): nothing but concerns is sent by SMS or mail in them.</summary>
    public TimeOnly QuietFrom { get; set; } = new(22, 0);

    public TimeOnly QuietUntil { get; set; } = new(7, 0);

    /// <summary>The web app's public address, for the link in an SMS or mail (e.g. <c>https://tongxin.example.gov.cn</c>).</summary>
    public string PublicUrl { get; set; } = "http://localhost:5000";

    public SmsGatewayOptions Sms { get; set; } = new();

    public SmtpOptions Email { get; set; } = new();
}

/// <summary>
/// <c>Notifications:Sms:*</c>: an HTTP SMS gateway of the kind Chinese providers offer (a signed JSON request naming the
/// account, the registered sign name, the template and its parameters). Off while <see cref="Url"/> is empty.
/// </summary>
public sealed class SmsGatewayOptions
{
    public string? Url { get; set; }
    public string? Account { get; set; }
    /// <summary>Signs each request (HMAC-SHA256 of the body); from the secret store, never from appsettings.json.</summary>
    public string? Secret { get; set; }
    /// <summary>The sign name registered with the provider, e.g. 童心关爱.</summary>
    public string SignName { get; set; } = "童心关爱";
    /// <summary>The template registered with the provider for each event (event → template id). An event without one goes by mail and app only.</summary>
    public Dictionary<string, string> Templates { get; set; } = [];
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>The gateway's answer codes that mean the number itself is wrong: no retry, and the administrator sees it.</summary>
    public List<string> NumberErrorCodes { get; set; } = ["isv.MOBILE_NUMBER_ILLEGAL", "isv.INVALID_PARAMETERS_MOBILE"];

    public bool Configured => !string.IsNullOrWhiteSpace(Url);
}

/// <summary><c>Notifications:Email:*</c>: the SMTP server mail goes through. Off while <see cref="Host"/> is empty.</summary>
public sealed class SmtpOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    /// <summary><c>None</c> (loopback relays), <c>StartTls</c> or <c>SslOnConnect</c>: MailKit's SecureSocketOptions.</summary>
    public string Security { get; set; } = "StartTls";
    public string? UserName { get; set; }
    public string? Password { get; set; }
    public string From { get; set; } = "noreply@tongxin.local";
    public string FromName { get; set; } = "童心关爱 Tongxin";
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);

    public bool Configured => !string.IsNullOrWhiteSpace(Host);
}
