using System.Net;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Persistence;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Notifications;

/// <summary>
/// Nothing acknowledged is lost when a host dies between the commit and the send (kill -9): the notification waits in
/// the database, the dead host's claim lapses, and the next host sends it, with the same id, so the phone gets it once.
/// </summary>
public sealed class SenderCrashTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSQL)]
    public async Task AHostKilledWhileSendingLeavesTheSmsToTheNextHostAndThePhoneGetsItOnce(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var gateway = await FakeSmsGateway.StartAsync();
        var environment = new Dictionary<string, string>
        {
            ["Database__Provider"] = provider.ToString(),
            ["Database__ConnectionString"] = database.ConnectionString,
            ["Bootstrap__AdminUserName"] = TongxinApp.AdminUserName,
            ["Bootstrap__AdminPassword"] = TongxinApp.AdminPassword,
            ["Encryption__FieldKey"] = TongxinApp.FieldKey,
            ["Matching__AutoRun"] = "false",
            ["RateLimits__ListsPerMinute"] = "1000000",
            ["Notifications__PollEvery"] = "00:00:00.100",
            // A send outlives its claim only on a dead host: the claim lapses after 3 s, the gateway would wait 60 s.
            ["Notifications__ClaimFor"] = "00:00:03",
            ["Notifications__QuietFrom"] = "00:00",
            ["Notifications__QuietUntil"] = "00:00",
            ["Notifications__Sms__Url"] = gateway.Url,
            ["Notifications__Sms__Secret"] = FakeSmsGateway.Secret,
            ["Notifications__Sms__Timeout"] = "00:01:00",
            ["Notifications__Sms__Templates__offer.made"] = "SMS_OFFER_MADE",
        };

        gateway.Mode = FakeSmsGateway.Behaviour.Hang;
        var first = HostProcess.Start(Directory.CreateTempSubdirectory("tongxin-crash1-").FullName, environment);
        string phone = "139" + Random.Shared.Next(10_000_000, 99_999_999);
        try
        {
            Assert.True(await first.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90)), first.Output);
            var county = await TestCounty.CreateAsync(new ProcessApiHost(first));
            var child = await county.ChildAsync("director-a1", county.VillageA1);
            await county.NeedAsync("director-a1", child, "caring-mother", new { supportKinds = new[] { "emotional-comfort" } });
            var (_, volunteer) = await county.VolunteerAsync("mother", "female", county.VillageA1, ["caring-mother"],
                new Dictionary<string, object> { ["caring-mother"] = new { supportKinds = new[] { "emotional-comfort" } } });
            (await volunteer.PutAsync("/api/notifications/preferences", new { items = Array.Empty<object>(), phone })).AssertStatus(HttpStatusCode.OK);
            await county.RunMatchingAsync("caring-mother");

            // The offer is committed and its SMS is on its way: the host dies before the gateway answers.
            await gateway.WaitForAsync(r => r.Any(s => s.Phone == phone), TimeSpan.FromSeconds(20), delivered: false);
            first.KillHard();
            Assert.NotNull(await first.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        }
        finally
        {
            await first.DisposeAsync();
        }

        gateway.Mode = FakeSmsGateway.Behaviour.Answer;
        await using var second = HostProcess.Start(Directory.CreateTempSubdirectory("tongxin-crash2-").FullName, environment);
        Assert.True(await second.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90)), second.Output);
        var sms = (await gateway.WaitForAsync(d => d.Any(s => s.Phone == phone), TimeSpan.FromSeconds(30))).Single(s => s.Phone == phone);
        var attempts = gateway.Received.Where(s => s.Phone == phone).ToList();
        Assert.Equal(2, attempts.Count); // the one the dead host sent, and the next host's
        Assert.All(attempts, a => Assert.Equal(sms.OutId, a.OutId)); // the same message both times: the gateway drops a repeat
        Assert.Equal(1, gateway.AnsweredOk[sms.OutId]);

        var contexts = OwnContexts.On(provider, database.ConnectionString);
        var until = DateTime.UtcNow.AddSeconds(10);
        NotificationDelivery delivery;
        while (true)
        {
            await using var db = contexts.CreateDbContext();
            delivery = await db.NotificationDeliveries.AsNoTracking().SingleAsync(d => d.Address == phone);
            if (delivery.Status == NotificationDeliveryStatus.Sent || DateTime.UtcNow > until)
            {
                break;
            }
            await Task.Delay(100);
        }
        Assert.Equal(NotificationDeliveryStatus.Sent, delivery.Status);
        Assert.Equal(sms.OutId, delivery.NotificationId);
    }
}
