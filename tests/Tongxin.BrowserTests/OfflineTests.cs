using System.Text.Json;
using Tongxin.BrowserTests.Infrastructure;
using Xunit;

namespace Tongxin.BrowserTests;

/// <summary>
/// Field work where the signal comes and goes (issue 18): the app opens without a network, a director reads their
/// village and records a visit, a volunteer records a session; both reach the host once when the signal is back.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class OfflineTests(BrowserFixture fixture)
{
    private readonly Browser _browser = new(fixture);

    // How many answers the phone keeps (the copy), and the queue's entries as JSON.
    private const string CopyCount = """
        const r = indexedDB.open('tongxin-field');
        r.onsuccess = () => { const db = r.result; if (!db.objectStoreNames.contains('copy')) { db.close(); done(0); return; }
          const q = db.transaction('copy').objectStore('copy').count(); q.onsuccess = () => { db.close(); done(q.result); }; };
        r.onerror = () => done(-1);
        """;

    private const string QueueJson = """
        const r = indexedDB.open('tongxin-field');
        r.onsuccess = () => { const db = r.result; const q = db.transaction('queue').objectStore('queue').getAll();
          q.onsuccess = () => { db.close(); done(JSON.stringify(q.result)); }; };
        r.onerror = () => done('[]');
        """;

    private static string PutInQueue(string entryJson) => $$"""
        const r = indexedDB.open('tongxin-field');
        r.onsuccess = () => { const db = r.result; const tx = db.transaction('queue', 'readwrite'); tx.objectStore('queue').put({{entryJson}});
          tx.oncomplete = () => { db.close(); done(true); }; };
        """;

    private long CopyEntries() => Convert.ToInt64(_browser.RunAsync(CopyCount));

    private JsonElement[] Queue() => JsonDocument.Parse((string)_browser.RunAsync(QueueJson)!).RootElement.EnumerateArray().ToArray();

    /// <summary>Signed in, the service worker controls the page and the phone's copy is complete.</summary>
    private void ReadyForTheField(string user)
    {
        _browser.Reset();
        _browser.Phone();
        _browser.Login(user);
        _browser.WaitUntil(() => _browser.Driver.ExecuteScript("return !!navigator.serviceWorker.controller") is true, "the service worker controls the page");
        _browser.WaitFor("body[data-field-copy]");
    }

    [Fact]
    public async Task ADirectorOpensTheAppOfflineRecordsAVisitAndItArrivesOnceWhenTheSignalIsBack()
    {
        var xiaohua = await fixture.Api.ChildIdAsync("小花");
        var notes = $"离线走访 {Guid.NewGuid():N}"[..16];
        ReadyForTheField("director");
        Assert.True(CopyEntries() >= 3 * 3, "the three demo children's files, contacts and care records are on the phone");
        try
        {
            _browser.Offline();
            _browser.Driver.Navigate().Refresh();
            // The app still opens, as the same director, from the phone.
            _browser.WaitFor("body[data-ready='true']");
            _browser.WaitForText("#children-list", "王小花");
            Assert.Contains("离线", _browser.WaitFor("#offline-banner").Text);

            _browser.Click($"#children-list [data-child-id='{xiaohua}'] a");
            _browser.WaitForText("main .child-name", "王小花");
            var visitedAt = DateTime.Now.AddDays(-2).Date.AddHours(15).AddMinutes(30);
            _browser.Choose("kind", "home-visit");
            _browser.SetValue("#contact-form [name='at']", visitedAt.ToString("yyyy-MM-ddTHH:mm"));
            _browser.Type("#contact-form [name='notes']", notes);
            _browser.Click("#contact-form button[type='submit']");

            // Kept on the phone, shown as waiting, on the file and above every page.
            _browser.WaitForText("#queue-waiting", "入户走访");
            _browser.WaitForText("#contacts .is-waiting", notes);
            var entry = Assert.Single(Queue());
            Assert.Equal($"/api/children/{xiaohua}/contacts", entry.GetProperty("path").GetString());
            _browser.Screenshots("offline-director-visit-waiting");

            _browser.Online();
            _browser.WaitUntil(() => Queue().Length == 0, "the queue is sent");
            var stored = (await fixture.Api.GetAsync("director", $"/api/children/{xiaohua}/contacts")).EnumerateArray()
                .Where(c => c.GetProperty("notes").GetString() == notes).ToList();
            var visit = Assert.Single(stored);
            Assert.Equal("home-visit", visit.GetProperty("kind").GetString());
            // Dated when it was recorded on the phone (China time), not when it was sent.
            Assert.Equal(new DateTimeOffset(DateTime.SpecifyKind(visitedAt, DateTimeKind.Unspecified), TimeSpan.FromHours(8)).UtcDateTime, visit.GetProperty("at").GetDateTime(), TimeSpan.FromMinutes(1));
            var overdue = await fixture.Api.GetAsync("director", "/api/followups/overdue");
            Assert.DoesNotContain(overdue.EnumerateArray(), o => o.GetProperty("childId").GetString() == xiaohua && o.GetProperty("visitOverdueDays").GetDouble() > 0);

            // A flaky connection: the phone never heard the answer and sends the same visit again. Stored once.
            _browser.RunAsync(PutInQueue(entry.GetRawText()));
            _browser.Driver.ExecuteScript("window.dispatchEvent(new Event('online'));");
            _browser.WaitUntil(() => Queue().Length == 0, "the repeated visit is answered");
            Assert.Single((await fixture.Api.GetAsync("director", $"/api/children/{xiaohua}/contacts")).EnumerateArray(),
                c => c.GetProperty("notes").GetString() == notes);
            _browser.Driver.Navigate().Refresh();
            _browser.WaitForText("#contacts", notes);
            Assert.Empty(_browser.All("#contacts .is-waiting"));
        }
        finally
        {
            _browser.Online();
        }

        // Logout takes the copy off the phone.
        _browser.Logout();
        Assert.Equal(0, CopyEntries());
        _browser.AssertNoScriptErrors();
    }

    [Fact]
    public async Task AVolunteerRecordsASessionOfflineAndTheCareRecordShowsItOnce()
    {
        var pairing = (await fixture.Api.GetAsync("volunteer", "/api/pairings?mine=true")).EnumerateArray()
            .First(p => p.GetProperty("status").GetString() == "active");
        var pairingId = pairing.GetProperty("id").GetString()!;
        var childId = pairing.GetProperty("childId").GetString()!;
        var sessionsBefore = pairing.GetProperty("sessions").GetArrayLength();
        var notes = $"离线辅导 {Guid.NewGuid():N}"[..16];
        ReadyForTheField("volunteer");
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
            _browser.WaitUntil(() => Queue().Length == 0, "the session is sent");
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
        ReadyForTheField("director");
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
            _browser.RunAsync(PutInQueue("{ key: 'damaged-entry', kind: 'contact', path: '/api/users', body: 'garbage', userId: 'x', recordedAt: '2026-01-01' }"));
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
            return Queue().Length == 0;
        }, "the refused and set-aside records are dismissed");
        _browser.AssertNoScriptErrors();
    }
}
