using Tongxin.BrowserTests.Infrastructure;
using Xunit;

namespace Tongxin.BrowserTests;

/// <summary>
/// Notifications in the web app (issue 17): the unread count in the top bar, the inbox, each notification opening the
/// thing it is about, and the settings page with the phone number checked by the host.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class NotificationTests(BrowserFixture fixture)
{
    private const string PingAn = "500235102201";

    private readonly Browser _browser = new(fixture);

    /// <summary>A child of this run only (a given name no other test uses), filed by the demo director.</summary>
    private async Task<(string Id, string GivenName)> ChildAsync(string givenName)
    {
        var child = await fixture.Api.PostAsync("director", "/api/children", new
        {
            givenName, familyName = "赵", gender = "female",
            birthDate = DateOnly.FromDateTime(DateTime.UtcNow).AddYears(-8).ToString("yyyy-MM-dd"),
            villageCode = PingAn, category = "left-behind", guardianSituation = "父母均在外务工，由祖母照料", riskLevel = "medium",
            guardianConsent = new { by = "赵奶奶", relation = "grandmother", recordedAt = DateTime.UtcNow.AddDays(-1) },
        });
        return (child.GetProperty("id").GetString()!, givenName);
    }

    private void OpenInbox()
    {
        _browser.WaitUntil(() => _browser.All("#unread-count").FirstOrDefault()?.Displayed == true, "the unread count in the top bar");
        _browser.Click("#inbox-link");
        _browser.WaitFor("#inbox-list");
    }

    [Fact]
    public async Task AVolunteerSeesTheOfferInTheInboxAndItOpensTheOffers()
    {
        var (child, givenName) = await ChildAsync("晓" + Random.Shared.Next(100, 999));
        var need = await fixture.Api.PostAsync("director", $"/api/children/{child}/needs", new
        {
            line = "caring-mother", urgency = "normal", details = new { supportKinds = new[] { "emotional-comfort" } },
        });
        var needId = need.GetProperty("id").GetString()!;
        await fixture.Api.WaitForOfferAsync("volunteer", needId, TimeSpan.FromSeconds(60));
        try
        {
            SeeTheOffer(givenName);
        }
        finally
        {
            // The demo volunteer takes two children: give her place back (the offer is withdrawn with the need), so the
            // other journeys of this shared demo county still find her free.
            await fixture.Api.PostAsync("director", $"/api/needs/{needId}/cancel", new { reason = "测试结束" });
        }
    }

    private void SeeTheOffer(string givenName)
    {
        _browser.Reset();
        _browser.Phone();
        _browser.Login("volunteer");
        OpenInbox();
        var item = _browser.WaitForText("#inbox-list .notification.unread", givenName);
        Assert.Contains("爱心妈妈", item.Text);
        Assert.DoesNotContain("赵", item.Text); // a given name only
        var width = Convert.ToInt64(_browser.Driver.ExecuteScript("return document.documentElement.scrollWidth;"));
        Assert.True(width <= Browser.PhoneWidth, $"the inbox is {width} px wide on a phone");
        _browser.Screenshots("volunteer-inbox");
        _browser.Desktop();

        var id = item.GetDomAttribute("data-notification")!;
        _browser.Click($"#inbox-list [data-notification='{id}'] a");
        _browser.WaitUntil(() => _browser.Hash == "#/offers", "the offers page");
        _browser.WaitForText("#offers-pending", givenName);
        _browser.Go("/notifications");
        _browser.WaitFor($"#inbox-list [data-notification='{id}']:not(.unread)");
        _browser.AssertNoScriptErrors();
    }

    [Fact]
    public async Task ASupervisorSeesAConcernAtOnceAndItOpensTheConcern()
    {
        var (child, _) = await ChildAsync("芸" + Random.Shared.Next(100, 999));
        var concern = await fixture.Api.PostAsync("director", "/api/concerns", new { childId = child, kind = "suspected-injury", details = "手臂有淤青，孩子不愿说原因" });
        var concernId = concern.GetProperty("id").GetString()!;

        _browser.Reset();
        _browser.Login("supervisor");
        OpenInbox();
        var item = _browser.WaitFor($"#inbox-list .notification.unread[data-event='concern.raised'] a[href='#/concerns/{concernId}']");
        Assert.Contains("强制报告", item.Text);
        Assert.DoesNotContain("淤青", item.Text); // the details are behind the link
        _browser.Screenshots("supervisor-inbox-concern");
        item.Click();
        _browser.WaitUntil(() => _browser.Hash == $"#/concerns/{concernId}", "the concern's page");
        _browser.WaitForText($"#concerns [data-concern-id='{concernId}']", "淤青");

        // Mark all read: the count leaves the top bar.
        _browser.Go("/notifications");
        _browser.WaitFor("#inbox-list");
        if (_browser.All("#inbox-read-all").Count > 0)
        {
            _browser.Click("#inbox-read-all");
        }
        _browser.WaitUntil(() => !_browser.All("#unread-count")[0].Displayed && _browser.All("#inbox-list .notification.unread").Count == 0, "nothing unread");
        _browser.AssertNoScriptErrors();
    }

    [Fact]
    public void TheSettingsPageChecksThePhoneNumberAndKeepsConcernsOnForStaff()
    {
        _browser.Reset();
        _browser.Login("supervisor");
        _browser.Go("/notifications/settings");
        _browser.WaitFor("#preferences-table");
        var concern = _browser.WaitFor("#preferences-table input[data-event='concern.raised'][data-channel='app']");
        Assert.False(concern.Enabled); // the inbox keeps everything
        Assert.True(concern.Selected);

        _browser.SetValue("#notification-settings [name='phone']", "12345");
        _browser.Click("#notification-settings button[type='submit']");
        Assert.Contains("手机号", _browser.FieldError("phone"));

        _browser.SetValue("#notification-settings [name='phone']", "13800138000");
        _browser.Click("#notification-settings button[type='submit']");
        _browser.WaitUntil(() => _browser.All("#notification-settings [data-field='phone'].invalid").Count == 0
            && _browser.All("#notification-settings [name='phone']").FirstOrDefault()?.GetDomProperty("value") == "13800138000", "saved");
        _browser.Go("/notifications");
        _browser.Go("/notifications/settings");
        _browser.WaitUntil(() => _browser.WaitFor("#notification-settings [name='phone']").GetDomProperty("value") == "13800138000", "the number kept");
        _browser.Screenshots("notification-settings");
        _browser.AssertNoScriptErrors();
    }
}
