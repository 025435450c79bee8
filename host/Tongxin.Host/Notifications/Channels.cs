using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using Tongxin.Host.Persistence;
using Tongxin.Modules.Contracts;

namespace Tongxin.Host.Notifications;

/// <summary>The channels a notification can go by. The app's inbox is the notification row itself and is always on.</summary>
public static class NotificationChannels
{
    public const string App = "app";
    public const string Sms = "sms";
    public const string Email = "email";

    public static readonly IReadOnlyList<string> All = [App, Sms, Email];
}

/// <summary>
/// One message as it leaves: the notification's id (which the gateway or mail server uses to tell a resend from a new
/// message), the address, the text in both languages, the values an SMS template takes, and the link to sign in.
/// Built from the notification's few values only: never a family name, birth date, risk, situation or concern detail.
/// </summary>
public sealed record OutgoingMessage(string NotificationId, string Event, string Address, LocalizedText Text, IReadOnlyDictionary<string, string> TemplateValues, string Url);

public enum SendOutcome
{
    Sent,
    /// <summary>The gateway or server was down, slow or busy: try again later.</summary>
    TryAgain,
    /// <summary>The address itself was refused: do not try it again until it changes.</summary>
    AddressRefused,
}

/// <param name="Detail">The gateway's or server's answer, for the delivery record and the administrator.</param>
public sealed record SendResult(SendOutcome Outcome, string? Detail = null, string? ProviderMessageId = null);

/// <summary>A way out of the app (SMS, mail). Registered only when configured.</summary>
public interface INotificationChannel
{
    /// <summary><see cref="NotificationChannels.Sms"/> or <see cref="NotificationChannels.Email"/>.</summary>
    string Name { get; }

    /// <summary>Whether this event goes by this channel at all (an SMS needs a template registered for it).</summary>
    bool Carries(string evt);

    string? AddressOf(UserAccount user);

    Task<SendResult> SendAsync(OutgoingMessage message, CancellationToken cancellationToken);
}

/// <summary>
/// An HTTP SMS gateway as Chinese providers offer them: POST a JSON body with the account, the numbers, the registered
/// sign name and template, the template's values and an out-id (ours: the notification's id, by which the gateway
/// drops a repeat), signed with HMAC-SHA256 of the body. The answer's <c>code</c> is <c>OK</c> or names the error.
/// </summary>
internal sealed class SmsGatewayChannel(HttpClient http, IOptions<NotificationOptions> options) : INotificationChannel
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private SmsGatewayOptions Sms => options.Value.Sms;

    public string Name => NotificationChannels.Sms;

    public bool Carries(string evt) => Sms.Templates.ContainsKey(evt);

    public string? AddressOf(UserAccount user) => string.IsNullOrWhiteSpace(user.Phone) ? null : user.Phone;

    public async Task<SendResult> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new SmsRequest(
            Sms.Account ?? "", message.Address, Sms.SignName, Sms.Templates[message.Event], message.TemplateValues, message.NotificationId), Json);
        using var request = new HttpRequestMessage(HttpMethod.Post, Sms.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
        request.Headers.Add("X-Sms-Signature", Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Sms.Secret ?? ""), body)));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Sms.Timeout);
        try
        {
            using var response = await http.SendAsync(request, timeout.Token);
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                return new SendResult(SendOutcome.TryAgain, $"HTTP {(int)response.StatusCode}: {Clip(text)}");
            }
            SmsAnswer? answer;
            try
            {
                answer = JsonSerializer.Deserialize<SmsAnswer>(text, Json);
            }
            catch (JsonException)
            {
                return new SendResult(SendOutcome.TryAgain, $"unreadable answer: {Clip(text)}");
            }
            if (answer?.Code == "OK")
            {
                return new SendResult(SendOutcome.Sent, null, answer.BizId);
            }
            var detail = $"{answer?.Code}: {answer?.Message}";
            return Sms.NumberErrorCodes.Contains(answer?.Code ?? "", StringComparer.Ordinal)
                ? new SendResult(SendOutcome.AddressRefused, detail)
                : new SendResult(SendOutcome.TryAgain, detail);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new SendResult(SendOutcome.TryAgain, e is OperationCanceledException ? $"no answer in {Sms.Timeout.TotalSeconds:0.#} s" : e.Message);
        }
    }

    internal static string Clip(string text) => text.Length <= 300 ? text : text[..300];

    private sealed record SmsRequest(string Account, string PhoneNumbers, string SignName, string TemplateCode, IReadOnlyDictionary<string, string> TemplateParam, string OutId);

    private sealed record SmsAnswer(string? Code, string? Message, string? BizId);
}

/// <summary>Mail by SMTP (MailKit): plain text, Chinese first then English, the notification's id as the Message-Id.</summary>
internal sealed class SmtpMailChannel(IOptions<NotificationOptions> options) : INotificationChannel
{
    private SmtpOptions Mail => options.Value.Email;

    public string Name => NotificationChannels.Email;

    public bool Carries(string evt) => true;

    public string? AddressOf(UserAccount user) => string.IsNullOrWhiteSpace(user.Email) ? null : user.Email;

    public async Task<SendResult> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        var mail = new MimeMessage
        {
            // The same id on every attempt: a server or reader that has it already drops the repeat.
            MessageId = $"{message.NotificationId}@{DomainOf(Mail.From)}",
            Subject = Text.HostTexts.Get("mail.subject").Format(message.Text.Zh).Zh,
            Body = new TextPart("plain")
            {
                Text = Text.HostTexts.Get("mail.body").Format(message.Text.Zh, message.Url, message.Text.En).Zh,
            },
        };
        mail.From.Add(new MailboxAddress(Mail.FromName, Mail.From));
        mail.To.Add(MailboxAddress.Parse(message.Address));
        using var client = new SmtpClient { Timeout = (int)Mail.Timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(Mail.Host!, Mail.Port, Enum.Parse<SecureSocketOptions>(Mail.Security, ignoreCase: true), cancellationToken);
            if (!string.IsNullOrEmpty(Mail.UserName))
            {
                await client.AuthenticateAsync(Mail.UserName, Mail.Password ?? "", cancellationToken);
            }
            var answer = await client.SendAsync(mail, cancellationToken);
            await client.DisconnectAsync(true, cancellationToken);
            return new SendResult(SendOutcome.Sent, null, SmsGatewayChannel.Clip(answer ?? ""));
        }
        catch (SmtpCommandException e) when (e.ErrorCode == SmtpErrorCode.RecipientNotAccepted && (int)e.StatusCode >= 500)
        {
            return new SendResult(SendOutcome.AddressRefused, $"{(int)e.StatusCode}: {SmsGatewayChannel.Clip(e.Message)}");
        }
        catch (Exception e) when (e is SmtpCommandException or SmtpProtocolException or IOException or System.Net.Sockets.SocketException
                                   or OperationCanceledException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            return new SendResult(SendOutcome.TryAgain, SmsGatewayChannel.Clip(e.Message));
        }
    }

    private static string DomainOf(string address) => address.Contains('@') ? address[(address.IndexOf('@') + 1)..] : "tongxin.local";
}
