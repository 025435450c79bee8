using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Tongxin.Host.Persistence;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Notifications;

/// <summary>
/// The host with an SMS gateway and an SMTP server of its own on loopback, and a clock the tests move (retry waits,
/// quiet hours). The sender looks for work every 100 ms.
/// </summary>
public abstract class NotifyingApp : TongxinApp, IAsyncLifetime
{
    public MovableClock Clock { get; } = new();

    public FakeSmsGateway Gateway { get; private set; } = null!;

    public LocalSmtpServer Smtp { get; private set; } = null!;

    public static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(10);

    protected override TimeProvider? ClockOverride => Clock;

    protected override IReadOnlyDictionary<string, string?> ExtraSettings
    {
        get
        {
            var settings = new Dictionary<string, string?>
            {
                ["Matching:AutoRun"] = "false",
                ["Notifications:PollEvery"] = "00:00:00.100",
                ["Notifications:FirstRetryDelay"] = FirstRetry.ToString(),
                ["Notifications:MaxRetryDelay"] = "00:00:30",
                ["Notifications:MaxAttempts"] = "5",
                ["Notifications:ClaimFor"] = "00:00:20",
                ["Notifications:PublicUrl"] = "https://tongxin.example/",
                ["Notifications:Sms:Url"] = Gateway.Url,
                ["Notifications:Sms:Account"] = "tongxin-test",
                ["Notifications:Sms:Secret"] = FakeSmsGateway.Secret,
                ["Notifications:Sms:Timeout"] = "00:00:01",
                ["Notifications:Email:Host"] = "127.0.0.1",
                ["Notifications:Email:Port"] = Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Notifications:Email:Security"] = "None",
                ["Notifications:Email:From"] = "noreply@tongxin.test",
            };
            foreach (var evt in Tongxin.Host.Notifications.NotificationEvents.All)
            {
                settings[$"Notifications:Sms:Templates:{evt}"] = "SMS_" + evt.Replace('.', '_').ToUpperInvariant();
            }
            return settings;
        }
    }

    async Task IAsyncLifetime.InitializeAsync()
    {
        Gateway = await FakeSmsGateway.StartAsync();
        Smtp = LocalSmtpServer.Start();
        await InitializeAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await Gateway.DisposeAsync();
        Smtp.Dispose();
    }

    public async Task<List<NotificationDelivery>> DeliveriesToAsync(string address)
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<TongxinDbContext>>().CreateDbContextAsync();
        return await db.NotificationDeliveries.AsNoTracking().Where(d => d.Address == address).OrderBy(d => d.CreatedAt).ToListAsync();
    }

    /// <summary>Moves the clock forward to the next <paramref name="chinaTime"/> (China Standard Time, UTC+8).</summary>
    public void MoveTo(TimeOnly chinaTime)
    {
        var china = Clock.GetUtcNow().UtcDateTime.AddHours(8);
        var target = china.Date + chinaTime.ToTimeSpan();
        if (target <= china)
        {
            target = target.AddDays(1);
        }
        Clock.Advance(target - china);
    }
}

public sealed class SqliteNotifyingApp : NotifyingApp
{
    protected override DatabaseProvider Provider => DatabaseProvider.Sqlite;
}

public sealed class PostgresNotifyingApp : NotifyingApp
{
    protected override DatabaseProvider Provider => DatabaseProvider.PostgreSQL;
}

public sealed class DeliveryTestsOnSqlite(SqliteNotifyingApp app) : DeliveryTests(app), IClassFixture<SqliteNotifyingApp>;

public sealed class DeliveryTestsOnPostgres(PostgresNotifyingApp app) : DeliveryTests(app), IClassFixture<PostgresNotifyingApp>;

/// <summary>
/// Offers, answers and concerns leave the app by SMS (through the county's gateway) and mail (SMTP): at least once, never
/// twice to the phone, after doubling waits when the gateway is down, not at night unless it is a concern, not to a
/// number the gateway refused, and never with more of the child than a given name.
/// </summary>
public abstract class DeliveryTests(NotifyingApp app) : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly object CaringMotherNeed = new { supportKinds = new[] { "emotional-comfort", "daily-life" } };

    private static object CaringMother() => new Dictionary<string, object> { ["caring-mother"] = new { supportKinds = new[] { "emotional-comfort", "daily-life" } } };

    public void Dispose()
    {
        app.Gateway.Mode = FakeSmsGateway.Behaviour.Answer;
        app.Clock.Reset();
    }

    private static string NewPhone() => "139" + Random.Shared.Next(10_000_000, 99_999_999);

    private static async Task ContactAsync(Api user, string? phone, string? email) =>
        (await user.PutAsync("/api/notifications/preferences", new { items = Array.Empty<object>(), phone, email })).AssertStatus(HttpStatusCode.OK);

    private async Task<(TestCounty County, string Need, Api Volunteer, string VolunteerPhone, string VolunteerMail)> OfferMadeAsync(string? phone = null)
    {
        app.MoveTo(new TimeOnly(10, 0));
        var county = await TestCounty.CreateAsync(app);
        var child = await county.ChildAsync("director-a1", county.VillageA1);
        var need = await county.NeedAsync("director-a1", child, "caring-mother", CaringMotherNeed);
        var (_, volunteer) = await county.VolunteerAsync("mother", "female", county.VillageA1, ["caring-mother"], CaringMother());
        phone ??= NewPhone();
        var mail = $"mother-{county.Code}@tongxin.test";
        await ContactAsync(volunteer, phone, mail);
        await county.RunMatchingAsync("caring-mother");
        return (county, need, volunteer, phone, mail);
    }

    [Fact]
    public async Task AnOfferReachesTheVolunteersPhoneAndMailboxOnceWithAGivenNameAndASignInLink()
    {
        var (county, _, volunteer, phone, mail) = await OfferMadeAsync();

        var sms = Assert.Single(await app.Gateway.WaitForAsync(d => d.Any(s => s.Phone == phone), Wait), s => s.Phone == phone);
        Assert.True(sms.SignatureValid);
        Assert.Equal("SMS_OFFER_MADE", sms.TemplateCode);
        Assert.Equal("童心关爱", sms.SignName);
        Assert.Equal("小芳", sms.TemplateParam["name"]);
        Assert.Equal("爱心妈妈", sms.TemplateParam["line"]);
        Assert.Equal("https://tongxin.example/#/offers", sms.TemplateParam["link"]);
        var inbox = (await volunteer.GetAsync("/api/notifications")).AssertStatus(HttpStatusCode.OK);
        var notificationId = inbox.Json!["items"]![0]!["id"]!.GetValue<string>();
        Assert.Equal(notificationId, sms.OutId); // the gateway tells a resend from a new message by it

        var letter = Assert.Single(await app.Smtp.WaitForAsync(m => m.Any(x => x.To.Mailboxes.Any(b => b.Address == mail)), Wait),
            m => m.To.Mailboxes.Any(b => b.Address == mail));
        Assert.Equal($"{notificationId}@tongxin.test", letter.MessageId);
        Assert.Contains("小芳", letter.Subject);
        Assert.Contains("https://tongxin.example/#/offers", letter.TextBody);
        Assert.Contains("Sign in to see it", letter.TextBody); // Chinese first, English second
        Assert.True(letter.TextBody!.IndexOf("请登录查看", StringComparison.Ordinal) < letter.TextBody.IndexOf("Sign in", StringComparison.Ordinal));

        // The gateway's answer is recorded a moment after the gateway saw the request.
        var delivered = await WaitForDeliveryAsync(phone, d => d.Status == NotificationDeliveryStatus.Sent);
        Assert.Single(await app.DeliveriesToAsync(phone));
        Assert.Equal(1, delivered.Attempts);
        Assert.Equal("biz-" + notificationId, delivered.ProviderMessageId);

        // The director hears of the acceptance on their phone.
        var directorPhone = NewPhone();
        await ContactAsync(await county.As("director-a1"), directorPhone, null);
        var offer = Assert.Single((await volunteer.GetAsync("/api/offers?mine=true")).Array)!;
        (await volunteer.PostAsync($"/api/offers/{offer["id"]}/accept", new { })).AssertStatus(HttpStatusCode.OK);
        var accepted = Assert.Single(await app.Gateway.WaitForAsync(d => d.Any(s => s.Phone == directorPhone), Wait), s => s.Phone == directorPhone);
        Assert.Equal("SMS_OFFER_ACCEPTED", accepted.TemplateCode);
        Assert.All(app.Gateway.AnsweredOk.Values, n => Assert.Equal(1, n));
    }

    [Fact]
    public async Task NoSmsOrMailCarriesTheChildsFamilyNameBirthDateRiskSituationOrTheConcernsDetails()
    {
        app.MoveTo(new TimeOnly(10, 0));
        var county = await TestCounty.CreateAsync(app);
        const string familyName = "欧阳";
        const string situation = "金丝雀-监护情况-父亲服刑";
        const string details = "金丝雀-线索详情-手臂淤青";
        var birthDate = new DateOnly(2016, 3, 17);
        var body = SampleCounty.ChildBody(county.VillageA1);
        body["familyName"] = familyName;
        body["guardianSituation"] = situation;
        body["birthDate"] = birthDate.ToString("yyyy-MM-dd");
        body["riskLevel"] = "high";
        var director = await county.As("director-a1");
        var child = (await director.PostAsync("/api/children", body)).AssertStatus(HttpStatusCode.Created).Id;
        var need = (await director.PostAsync($"/api/children/{child}/needs", new { line = "caring-mother", details = CaringMotherNeed, urgency = "normal" }))
            .AssertStatus(HttpStatusCode.Created).Id;

        var phones = new List<string>();
        var mails = new List<string>();
        async Task Reachable(Api user, string name)
        {
            var phone = NewPhone();
            var mail = $"{name}-{county.Code}@tongxin.test";
            phones.Add(phone);
            mails.Add(mail);
            await ContactAsync(user, phone, mail);
        }
        var supervisor = await county.As("supervisor-a");
        await Reachable(director, "director");
        await Reachable(supervisor, "supervisor");
        await Reachable(await county.As("civil"), "civil");
        var (_, volunteer) = await county.VolunteerAsync("mother", "female", county.VillageA1, ["caring-mother"], CaringMother());
        await Reachable(volunteer, "mother");

        await county.RunMatchingAsync("caring-mother");
        var offer = Assert.Single((await volunteer.GetAsync("/api/offers?mine=true")).Array)!;
        (await volunteer.PostAsync($"/api/offers/{offer["id"]}/accept", new { })).AssertStatus(HttpStatusCode.OK);
        var concern = (await director.PostAsync("/api/concerns", new { childId = child, kind = "suspected-injury", details })).AssertStatus(HttpStatusCode.Created).Id;
        (await supervisor.PostAsync($"/api/concerns/{concern}/steps", new { stage = "reported-to-police", at = app.Clock.GetUtcNow().UtcDateTime, reference = "金丝雀-受字1号", notes = "金丝雀-已报警" }))
            .AssertStatus(HttpStatusCode.OK);

        // offer made (volunteer), accepted (director), concern raised (supervisor, civil affairs), its step (director).
        var sms = await app.Gateway.WaitForAsync(d => d.Count(s => phones.Contains(s.Phone)) >= 5, Wait);
        var letters = await app.Smtp.WaitForAsync(m => m.Count(x => x.To.Mailboxes.Any(b => mails.Contains(b.Address))) >= 5, Wait);
        // Read as the phone and the mail reader show them: JSON and MIME encodings undone.
        var relaxed = new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        var everything = sms.Where(s => phones.Contains(s.Phone)).Select(s => System.Text.Json.Nodes.JsonNode.Parse(s.Body)!.ToJsonString(relaxed))
            .Concat(letters.Where(x => x.To.Mailboxes.Any(b => mails.Contains(b.Address)))
                .Select(x => string.Join("\n", x.Headers.Select(h => $"{h.Field}: {h.Value}")) + "\n" + x.TextBody))
            .ToList();
        Assert.Contains(everything, text => text.Contains("小芳")); // a given name at most
        string[] canaries =
        [
            familyName, situation, details, "金丝雀", "2016-03-17", "2016年3月", "20160317", "high", "高风险", "高",
            child, // the link names the need or concern (opaque, behind a sign-in), never the child
        ];
        foreach (var text in everything)
        {
            foreach (var canary in canaries)
            {
                Assert.False(text.Contains(canary, StringComparison.Ordinal), $"A message carries '{canary}': {text}");
            }
        }
    }

    [Fact]
    public async Task WithTheGatewayDownTheSmsIsTriedAfterDoublingWaitsAndArrivesOnceWhenItIsBack()
    {
        app.Gateway.Mode = FakeSmsGateway.Behaviour.Fail;
        var (_, _, _, phone, _) = await OfferMadeAsync();

        await app.Gateway.WaitForAsync(r => r.Count(s => s.Phone == phone) == 1, Wait, delivered: false);
        var first = await WaitForDeliveryAsync(phone, d => d.Attempts == 1 && d.ClaimToken == null);
        Assert.Equal(NotificationDeliveryStatus.Pending, first.Status);
        Assert.Contains("HTTP 500", first.LastError);
        Assert.InRange(first.NextAttemptAt - app.Clock.GetUtcNow().UtcDateTime, TimeSpan.FromSeconds(5), NotifyingApp.FirstRetry);

        app.Clock.Advance(NotifyingApp.FirstRetry);
        await app.Gateway.WaitForAsync(r => r.Count(s => s.Phone == phone) == 2, Wait, delivered: false);
        var second = await WaitForDeliveryAsync(phone, d => d.Attempts == 2 && d.ClaimToken == null);
        Assert.InRange(second.NextAttemptAt - app.Clock.GetUtcNow().UtcDateTime, NotifyingApp.FirstRetry, NotifyingApp.FirstRetry * 2); // doubled

        app.Gateway.Mode = FakeSmsGateway.Behaviour.Answer;
        app.Clock.Advance(NotifyingApp.FirstRetry * 2);
        await app.Gateway.WaitForAsync(d => d.Any(s => s.Phone == phone), Wait);
        var sent = await WaitForDeliveryAsync(phone, d => d.Status == NotificationDeliveryStatus.Sent);
        Assert.Equal(3, sent.Attempts);
        Assert.Equal(3, app.Gateway.Received.Count(s => s.Phone == phone));
        Assert.Equal(1, app.Gateway.AnsweredOk[sent.NotificationId]);
    }

    [Fact]
    public async Task AGatewayThatDoesNotAnswerIsLeftAfterItsTimeoutAndTheSameMessageGoesAgain()
    {
        app.Gateway.Mode = FakeSmsGateway.Behaviour.Hang;
        var (_, _, _, phone, _) = await OfferMadeAsync();
        var hung = (await app.Gateway.WaitForAsync(r => r.Any(s => s.Phone == phone), Wait, delivered: false)).Single(s => s.Phone == phone);
        var waiting = await WaitForDeliveryAsync(phone, d => d.Attempts == 1 && d.ClaimToken == null);
        Assert.Equal("no answer in 1 s", waiting.LastError);

        app.Gateway.Mode = FakeSmsGateway.Behaviour.Answer;
        app.Clock.Advance(NotifyingApp.FirstRetry);
        var sms = (await app.Gateway.WaitForAsync(d => d.Any(s => s.Phone == phone), Wait)).Single(s => s.Phone == phone);
        Assert.Equal(hung.OutId, sms.OutId);
    }

    [Fact]
    public async Task ANumberTheGatewayRefusesIsShownToTheAdministratorAndNotTriedAgainUntilChanged()
    {
        var badPhone = NewPhone();
        app.Gateway.InvalidNumbers[badPhone] = 0;
        var (county, _, volunteer, _, _) = await OfferMadeAsync(badPhone);

        var refused = await WaitForDeliveryAsync(badPhone, d => d.Status == NotificationDeliveryStatus.Failed);
        Assert.Equal(1, refused.Attempts);
        Assert.Contains("isv.MOBILE_NUMBER_ILLEGAL", refused.LastError);
        var settings = (await volunteer.GetAsync("/api/notifications/preferences")).AssertStatus(HttpStatusCode.OK);
        Assert.Contains("isv.MOBILE_NUMBER_ILLEGAL", settings.Json!["phoneFailure"]!.GetValue<string>());
        var admin = await app.AdminAsync();
        var account = (await admin.GetAsync($"/api/users?q={county.User("mother")}")).AssertStatus(HttpStatusCode.OK).Json!["items"]![0]!;
        Assert.Contains("isv.MOBILE_NUMBER_ILLEGAL", account["phoneFailure"]!.GetValue<string>());

        // The next offer to the volunteer is not sent to the refused number.
        var second = await county.ChildAsync("director-a1", county.VillageA1);
        await county.NeedAsync("director-a1", second, "caring-mother", CaringMotherNeed);
        await county.RunMatchingAsync("caring-mother");
        var skipped = await WaitForDeliveryAsync(badPhone, d => d.Status == NotificationDeliveryStatus.Skipped);
        Assert.Equal(0, skipped.Attempts);
        Assert.Equal(1, app.Gateway.Received.Count(s => s.Phone == badPhone));

        // A new number clears the failure and gets its chance.
        var goodPhone = NewPhone();
        await ContactAsync(volunteer, goodPhone, null);
        account = (await admin.GetAsync($"/api/users?q={county.User("mother")}")).AssertStatus(HttpStatusCode.OK).Json!["items"]![0]!;
        Assert.Null(account["phoneFailure"]);
    }

    [Fact]
    public async Task AMailAddressTheServerRefusesIsRecordedWithItsAnswer()
    {
        app.MoveTo(new TimeOnly(10, 0));
        var county = await TestCounty.CreateAsync(app);
        var child = await county.ChildAsync("director-a1", county.VillageA1);
        var civil = await county.As("civil");
        await ContactAsync(civil, null, $"civil-{county.Code}@refused.test");
        (await (await county.As("director-a1")).PostAsync("/api/concerns", new { childId = child, kind = "suspected-injury", details = "淤青" }))
            .AssertStatus(HttpStatusCode.Created);
        var refused = await WaitForDeliveryAsync($"civil-{county.Code}@refused.test", d => d.Status == NotificationDeliveryStatus.Failed);
        Assert.StartsWith("5", refused.LastError);
        var settings = (await civil.GetAsync("/api/notifications/preferences")).AssertStatus(HttpStatusCode.OK);
        Assert.NotNull(settings.Json!["emailFailure"]);
    }

    [Fact]
    public async Task PreferencesTurnAChannelOffButAConcernStaysOnForStaffAndBadInputChangesNothing()
    {
        app.MoveTo(new TimeOnly(10, 0));
        var county = await TestCounty.CreateAsync(app);
        var (_, volunteer) = await county.VolunteerAsync("mother", "female", county.VillageA1, ["caring-mother"], CaringMother());
        var phone = NewPhone();
        var mail = $"mother-{county.Code}@tongxin.test";
        var settings = (await volunteer.PutAsync("/api/notifications/preferences", new
        {
            items = new[] { new { @event = "offer.made", channel = "sms", enabled = false } },
            phone,
            email = mail,
        })).AssertStatus(HttpStatusCode.OK);
        var items = settings.Json!["items"]!.AsArray();
        Assert.Contains(items, i => i!["event"]!.GetValue<string>() == "offer.made" && i["channel"]!.GetValue<string>() == "sms" && !i["enabled"]!.GetValue<bool>());
        Assert.Contains(items, i => i!["event"]!.GetValue<string>() == "offer.made" && i["channel"]!.GetValue<string>() == "app" && i["locked"]!.GetValue<bool>());
        Assert.DoesNotContain(items, i => i!["event"]!.GetValue<string>() == "concern.raised"); // not a volunteer's event
        Assert.Equal(["app", "sms", "email"], settings.Json["channels"]!.AsArray().Select(c => c!.GetValue<string>()));

        var child = await county.ChildAsync("director-a1", county.VillageA1);
        await county.NeedAsync("director-a1", child, "caring-mother", CaringMotherNeed);
        await county.RunMatchingAsync("caring-mother");
        await app.Smtp.WaitForAsync(m => m.Any(x => x.To.Mailboxes.Any(b => b.Address == mail)), Wait);
        Assert.Empty(await app.DeliveriesToAsync(phone)); // SMS off: not even tried
        Assert.DoesNotContain(app.Gateway.Received, s => s.Phone == phone);

        // Staff cannot silence a concern; unknown names are named back; nothing of a refused change is kept.
        var supervisor = await county.As("supervisor-a");
        var before = (await supervisor.GetAsync("/api/notifications/preferences")).AssertStatus(HttpStatusCode.OK).Body;
        (await supervisor.PutAsync("/api/notifications/preferences", new
        {
            items = new object[] { new { @event = "need.escalated.town", channel = "email", enabled = false }, new { @event = "concern.raised", channel = "sms", enabled = false } },
        })).AssertProblem(HttpStatusCode.UnprocessableEntity).AssertErrorsOn("items[1].enabled");
        (await supervisor.PutAsync("/api/notifications/preferences", new { items = new[] { new { @event = "concern.whatever", channel = "sms", enabled = false } } }))
            .AssertFieldErrors("items[0].event");
        var unknownChannel = await supervisor.PutAsync("/api/notifications/preferences", new { items = new[] { new { @event = "concern.step", channel = "wechat", enabled = false } } });
        unknownChannel.AssertFieldErrors("items[0].channel");
        Assert.Contains("wechat", unknownChannel.Body);
        (await supervisor.PutAsync("/api/notifications/preferences", new { items = new[] { new { @event = "concern.step", channel = "app", enabled = false } } }))
            .AssertProblem(HttpStatusCode.UnprocessableEntity).AssertErrorsOn("items[0].enabled");
        (await supervisor.PutAsync("/api/notifications/preferences", new { items = Array.Empty<object>(), phone = "12345" })).AssertFieldErrors("phone");
        (await supervisor.PutAsync("/api/notifications/preferences", new { items = Array.Empty<object>(), email = "not-an-address" })).AssertFieldErrors("email");
        Assert.Equal(before, (await supervisor.GetAsync("/api/notifications/preferences")).AssertStatus(HttpStatusCode.OK).Body);
    }

    [Fact]
    public async Task AtNightOnlyConcernsGoOutAndTheRestFollowsAtSevenChinaTime()
    {
        var (county, _, _, phone, _) = await OfferMadeAsync(); // made at 10:00: sent at once
        await app.Gateway.WaitForAsync(d => d.Any(s => s.Phone == phone), Wait);

        app.MoveTo(new TimeOnly(23, 0));
        var supervisorPhone = NewPhone();
        await ContactAsync(await county.As("supervisor-a"), supervisorPhone, null);
        var directorPhone = NewPhone();
        var director = await county.As("director-a1");
        await ContactAsync(director, directorPhone, null);
        var child = await county.ChildAsync("director-a1", county.VillageA1);
        (await director.PostAsync("/api/concerns", new { childId = child, kind = "suspected-injury", details = "淤青" })).AssertStatus(HttpStatusCode.Created);
        var volunteer = await county.As("mother");
        var offer = Assert.Single((await volunteer.GetAsync("/api/offers?mine=true")).Array)!;
        (await volunteer.PostAsync($"/api/offers/{offer["id"]}/accept", new { })).AssertStatus(HttpStatusCode.OK);

        var concernSms = (await app.Gateway.WaitForAsync(d => d.Any(s => s.Phone == supervisorPhone), Wait)).Single(s => s.Phone == supervisorPhone);
        Assert.Equal("SMS_CONCERN_RAISED", concernSms.TemplateCode);
        var held = await WaitForDeliveryAsync(directorPhone, _ => true);
        Assert.Equal(NotificationDeliveryStatus.Pending, held.Status);
        Assert.Equal(new TimeOnly(7, 0), TimeOnly.FromDateTime(held.NextAttemptAt.AddHours(8)));
        await Task.Delay(500);
        Assert.DoesNotContain(app.Gateway.Received, s => s.Phone == directorPhone);

        app.MoveTo(new TimeOnly(7, 0, 1));
        var morning = (await app.Gateway.WaitForAsync(d => d.Any(s => s.Phone == directorPhone), Wait)).Single(s => s.Phone == directorPhone);
        Assert.Equal("SMS_OFFER_ACCEPTED", morning.TemplateCode);
    }

    private async Task<NotificationDelivery> WaitForDeliveryAsync(string address, Func<NotificationDelivery, bool> done)
    {
        var until = DateTime.UtcNow + Wait;
        while (true)
        {
            var found = (await app.DeliveriesToAsync(address)).LastOrDefault(done);
            if (found is not null)
            {
                return found;
            }
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"No delivery to {address} as awaited: {string.Join(" | ", (await app.DeliveriesToAsync(address)).Select(d => $"{d.Status} {d.Attempts} {d.LastError}"))}");
            }
            await Task.Delay(50);
        }
    }
}
