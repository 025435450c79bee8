using System.Text.Json;
using Tongxin.BrowserTests.Infrastructure;
using Xunit;

namespace Tongxin.BrowserTests;

/// <summary>
/// Field work where the signal comes and goes (issue 18), on the small demo: a volunteer records a session offline;
/// what the host refuses on the way is shown with its reason. (A director's day out of signal, on a county-size
/// village: <see cref="CountyTests"/>.)
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class OfflineTests(BrowserFixture fixture)
{
    private readonly Browser _browser = new(fixture);

    [Fact]
    public async Task AVolunteerRecordsASessionOfflineAndTheCareRecordShowsItOnce()
    {
        var pairing = (await fixture.Api.GetAsync("volunteer", "/api/pairings?mine=true")).EnumerateArray()
            .First(p => p.GetProperty("status").GetString() == "active");
        var pairingId = pairing.GetProperty("id").GetString()!;
        var childId = pairing.GetProperty("childId").GetString()!;
        var sessionsBefore = pairing.GetProperty("sessions").GetArrayLength();
        var notes = $"离线辅导 {Guid.NewGuid():N}"[..16];
        _browser.ReadyForTheField("volunteer");
        try
        {
            _browser.Offline();
            _browser.Go("/pairings");
            _browser.Driver.Navigate().Refresh();
            _browser.WaitFor($"[data-pairing-id='{pairingId}']");
            var form = $"#session-form-{pairingId}";
            _browser.Driver.ExecuteScript($"document.querySelector('{form}').closest('details').open = true;");
            _browser.SetValue($"{form} [name='at']", DateTime.Now.AddDays(-1).ToString("yyyy-MM-ddTHH:mm"));
            _browser.SetValue($"{form} [name='minutes']", "45");
            _browser.Type($"{form} [name='notes']", notes);
            _browser.Click($"{form} button[type='submit']");
            _browser.WaitForText("#queue-waiting", "服务记录");
            _browser.WaitForText($"[data-pairing-id='{pairingId}'] .is-waiting", notes);

            _browser.Online();
            _browser.WaitUntil(() => _browser.Queue().Length == 0, "the session is sent");
        }
        finally
        {
            _browser.Online();
        }
        var after = await fixture.Api.GetAsync("volunteer", $"/api/pairings/{pairingId}");
        Assert.Equal(sessionsBefore + 1, after.GetProperty("sessions").GetArrayLength());
        Assert.Single(after.GetProperty("sessions").EnumerateArray(), s => s.GetProperty("notes").GetString() == notes);
        var care = await fixture.Api.GetAsync("director", $"/api/children/{childId}/care-record");
        Assert.Contains(care.GetProperty("pairings").EnumerateArray(), p => p.GetProperty("sessions").GetInt32() == sessionsBefore + 1);
        // The director reads it in the child's care record.
        _browser.Logout();
        _browser.Login("director");
        _browser.Go($"/children/{childId}");
        _browser.WaitForText("#care-pairings", $"{sessionsBefore + 1} 次服务");
        _browser.AssertNoScriptErrors();
    }

    [Fact]
    public async Task AVisitToAChildMovedAwayMeanwhileIsShownRefusedAndADamagedEntryIsSetAsideWithoutBlockingTheRest()
    {
        // A child of 平安村 whom the supervisor moves to 团结村 while the director is out of signal.
        var created = await fixture.Api.PostAsync("director", "/api/children", new
        {
            familyName = "周", givenName = "离线", gender = "male", birthDate = "2017-03-02", villageCode = "500235102201",
            category = "left-behind", riskLevel = "low", guardianSituation = "父母在重庆务工，由祖母照料",
            guardianConsent = new { by = "祖母", relation = "grandmother", recordedAt = DateTime.UtcNow.AddDays(-1) },
        });
        var movedChild = created.GetProperty("id").GetString()!;
        var xiaoming = await fixture.Api.ChildIdAsync("小明");
        _browser.ReadyForTheField("director");
        try
        {
            _browser.Offline();
            foreach (var (child, text) in new[] { (movedChild, "搬走前的走访"), (xiaoming, "离线电话回访") })
            {
                _browser.Go($"/children/{child}");
                _browser.WaitFor("#contact-form");
                _browser.Type("#contact-form [name='notes']", text);
                _browser.Click("#contact-form button[type='submit']");
                _browser.WaitForText("#queue-waiting", text == "搬走前的走访" ? "1" : "2");
            }
            // Something on the phone that is not a record any more (a damaged entry) is set aside, never sent.
            _browser.PutInQueue("{ key: 'damaged-entry', kind: 'contact', path: '/api/users', body: 'garbage', userId: 'x', recordedAt: '2026-01-01' }");
            await fixture.Api.PostAsync("supervisor", $"/api/children/{movedChild}/move", new { villageCode = "500235102202", reason = "随祖母搬到团结村" });

            _browser.Online();
            _browser.Driver.ExecuteScript("window.dispatchEvent(new Event('online'));");
            var refused = _browser.WaitForText("#queue-refused", "搬走前的走访");
            Assert.Contains("周离线", refused.Text); // which record: the child's name
            Assert.Contains("未找到该儿童档案", refused.Text); // and the host's reason: the child is not the director's any more
            _browser.WaitFor("#queue-set-aside");
            Assert.Contains("损坏", _browser.WaitFor("#queue-set-aside").Text);
            _browser.Screenshots("offline-refused-and-set-aside");
        }
        finally
        {
            _browser.Online();
        }
        // The other visit went through; nothing of the moved child was stored.
        Assert.Single((await fixture.Api.GetAsync("director", $"/api/children/{xiaoming}/contacts")).EnumerateArray(),
            c => c.GetProperty("notes").GetString() == "离线电话回访");
        Assert.Empty((await fixture.Api.GetAsync("supervisor", $"/api/children/{movedChild}/contacts")).EnumerateArray());
        // Read and dismissed, they leave the phone.
        _browser.WaitUntil(() =>
        {
            try
            {
                _browser.All("#queue-panel button.btn-ghost").FirstOrDefault()?.Click();
            }
            catch (OpenQA.Selenium.StaleElementReferenceException)
            {
                // the panel was drawn again after the last dismissal
            }
            return _browser.Queue().Length == 0;
        }, "the refused and set-aside records are dismissed");
        _browser.AssertNoScriptErrors();
    }

    [Fact]
    public async Task ADirectorWhoseAccountIsDeactivatedLosesThePhonesCopyOnTheNextRequest()
    {
        var userName = $"director-{Guid.NewGuid():N}"[..20];
        var created = await fixture.Api.PostAsync("admin", "/api/users",
            new { userName, password = SetupApi.Password, role = "child-director", regionCode = "500235102201" });
        _browser.ReadyForTheField(userName);
        Assert.True(_browser.CopyEntries() > 0, "the village is on the phone");

        await fixture.Api.PostAsync("admin", $"/api/users/{created.GetProperty("id").GetString()}/deactivate", new { });
        _browser.Go("/needs"); // the host answers 401 from now on
        _browser.WaitFor("#login-form");
        Assert.Equal(0, _browser.CopyEntries());
        _browser.AssertNoScriptErrors();
    }
}
