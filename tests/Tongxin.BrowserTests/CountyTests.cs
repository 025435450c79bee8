using System.Text.Json;
using Tongxin.BrowserTests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Tongxin.BrowserTests;

/// <summary>
/// The full demo county (`--demo=county`, issue 18): the pictures in the README, taken here, and the figures of the web
/// app out of signal on a village of county size.
/// </summary>
[Collection(CountyBrowserCollection.Name)]
public sealed class CountyTests(CountyBrowserFixture fixture, ITestOutputHelper output)
{
    private readonly Browser _browser = new(fixture);

    /// <summary>The README's pictures live in docs/screenshots/: each run of this test takes them again.</summary>
    private static readonly string ReadmePictures = Path.Combine(Tongxin.IntegrationTests.Infrastructure.HostProcess.RepositoryRoot, "docs", "screenshots");

    private void Picture(string name)
    {
        Directory.CreateDirectory(ReadmePictures);
        _browser.Driver.ExecuteScript("document.getElementById('toast').hidden = true;");
        _browser.Driver.GetScreenshot().SaveAsFile(Path.Combine(ReadmePictures, $"{name}.png"));
    }

    [Fact]
    public async Task TheCountyDashboardTheGapMapAndAVolunteersOfferAsTheReadmeShowsThem()
    {
        _browser.Reset();
        _browser.Login("civil");
        _browser.Go("/dashboard");
        // A county's worth: thousands of children across its eight towns.
        _browser.WaitUntil(() => _browser.All("#charts svg").Count > 0, "the dashboard's charts");
        var children = _browser.WaitFor("#dashboard-stats").Text;
        Assert.Matches(@"[23],?\d{3}", children);
        _browser.Metrics(Browser.DesktopWidth, 1100, mobile: false);
        Picture("county-dashboard");
        _browser.Desktop();

        // The gap map: open needs against providers, per town and line.
        _browser.Go("/reports");
        _browser.WaitFor("#gap-table");
        Assert.True(_browser.All("#gap-table tbody tr").Count >= 8, "a row per town at least");
        // A window as tall as the page, so that the card is taken whole and unscrolled (the top bar is sticky).
        var height = Convert.ToInt32(_browser.Driver.ExecuteScript("return Math.ceil(document.documentElement.scrollHeight);"));
        _browser.Metrics(Browser.DesktopWidth, Math.Min(height, 4000), mobile: false);
        var gapCard = (OpenQA.Selenium.ITakesScreenshot)_browser.WaitFor("#gap-table").FindElement(OpenQA.Selenium.By.XPath("ancestor::section[1]"));
        Directory.CreateDirectory(ReadmePictures);
        gapCard.GetScreenshot().SaveAsFile(Path.Combine(ReadmePictures, "county-gap-map.png"));
        _browser.Desktop();

        // A volunteer of the county with an offer waiting: the offer as the volunteer reads it on a phone.
        var volunteer = await VolunteerWithAnOfferAsync();
        _browser.Logout();
        _browser.Phone();
        _browser.Login(volunteer);
        _browser.WaitFor("#offers-pending");
        Picture("county-volunteer-offer");
        _browser.AssertNoScriptErrors();
    }

    private async Task<string> VolunteerWithAnOfferAsync()
    {
        foreach (var user in new[] { "volunteer" }.Concat(Enumerable.Range(1, 60).Select(i => $"volunteer-{i:000}")))
        {
            try
            {
                var offers = await fixture.Api.GetAsync(user, "/api/offers?mine=true");
                if (offers.EnumerateArray().Any(o => o.GetProperty("status").GetString() == "pending"))
                {
                    return user;
                }
            }
            catch (InvalidOperationException)
            {
                // no such account
            }
        }
        throw new InvalidOperationException("No volunteer of the demo county has an offer waiting after start.");
    }

    // The page's own timings: every file of the app shell (not /api) with the bytes it cost on the network.
    private const string ShellTransfer = """
        const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
          .filter((e) => !new URL(e.name).pathname.startsWith('/api'));
        done(JSON.stringify({
          files: entries.length,
          transferred: entries.reduce((sum, e) => sum + e.transferSize, 0),
          body: entries.reduce((sum, e) => sum + e.decodedBodySize, 0),
          fromServiceWorker: entries.filter((e) => e.workerStart > 0 && e.transferSize === 0).length,
          overNetwork: entries.filter((e) => e.transferSize > 0).map((e) => new URL(e.name).pathname),
        }));
        """;

    // Opens a hash route and answers the milliseconds until the page is drawn (the file's name is on screen).
    private const string OpenAndTime = """
        const [hash, selector] = [arguments[0], arguments[1]];
        const start = performance.now();
        location.hash = hash;
        const check = () => {
          const main = document.getElementById('main');
          if (!main.hasAttribute('aria-busy') && main.querySelector(selector)) done(performance.now() - start); else requestAnimationFrame(check);
        };
        requestAnimationFrame(check);
        """;

    private JsonElement Measure() => JsonDocument.Parse((string)_browser.RunAsync(ShellTransfer)!).RootElement.Clone();

    private double Open(string hash, string selector) =>
        Convert.ToDouble(((OpenQA.Selenium.IJavaScriptExecutor)_browser.Driver).ExecuteAsyncScript(
            "const done = arguments[arguments.length - 1];" + OpenAndTime, hash, selector));

    [Fact]
    public async Task TheAppsTransferOnFirstAndRepeatLoadAndTheTimeToOpenAFileOfflineAreMeasured()
    {
        var origin = fixture.Address.GetLeftPart(UriPartial.Authority);
        var figures = new Dictionary<string, object>();

        // First load on a phone that has never seen the app.
        _browser.Reset();
        _browser.Driver.Navigate().GoToUrl("about:blank");
        _browser.Driver.ExecuteCdpCommand("Storage.clearDataForOrigin", new Dictionary<string, object?> { ["origin"] = origin, ["storageTypes"] = "all" });
        _browser.Driver.ExecuteCdpCommand("Network.clearBrowserCache", new Dictionary<string, object?>());
        _browser.Driver.Navigate().GoToUrl(new Uri(fixture.Address, "/#/login"));
        _browser.WaitFor("body[data-ready='true']");
        var first = Measure();
        figures["firstLoad"] = first;
        _browser.WaitUntil(() => _browser.Driver.ExecuteScript("return !!navigator.serviceWorker.controller") is true, "the service worker controls the page");

        // Repeat load: the shell comes from the service worker, nothing of it over the network.
        _browser.Driver.Navigate().Refresh();
        _browser.WaitFor("body[data-ready='true']");
        var repeat = Measure();
        figures["repeatLoadFromServiceWorker"] = repeat;
        Assert.Empty(repeat.GetProperty("overNetwork").EnumerateArray());

        // The peer: the same repeat load without the service worker (the browser's HTTP cache only).
        _browser.Driver.Navigate().GoToUrl("about:blank");
        _browser.Driver.ExecuteCdpCommand("Storage.clearDataForOrigin", new Dictionary<string, object?> { ["origin"] = origin, ["storageTypes"] = "service_workers,cache_storage" });
        _browser.Driver.Navigate().GoToUrl(new Uri(fixture.Address, "/#/login"));
        _browser.WaitFor("body[data-ready='true']");
        figures["repeatLoadHttpCacheOnly"] = Measure();

        // A director of a county-size village: the copy of the village, then a child's file opened from it offline
        // against the same file opened from the host online, alternately (A B A B).
        _browser.Reset();
        _browser.Phone();
        var copyStarted = DateTime.UtcNow;
        _browser.Login("director");
        _browser.WaitUntil(() => _browser.Driver.ExecuteScript("return !!navigator.serviceWorker.controller") is true, "the service worker controls the page");
        _browser.WaitFor("body[data-field-copy]");
        figures["villageCopySeconds"] = (DateTime.UtcNow - copyStarted).TotalSeconds;
        var children = (await fixture.Api.GetAsync("director", "/api/children?pageSize=100")).GetProperty("items").EnumerateArray()
            .Select(c => c.GetProperty("id").GetString()!).ToList();
        figures["villageChildren"] = children.Count;
        var offlineMs = new List<double>();
        var onlineMs = new List<double>();
        try
        {
            for (var pair = 0; pair < 10; pair++)
            {
                var child = children[pair % children.Count];
                _browser.Offline();
                Open("#/children", "#children-list");
                offlineMs.Add(Open($"#/children/{child}", ".child-name"));
                Assert.False(_browser.WaitFor("#offline-banner").GetDomProperty("hidden") == "true", "the file came from the phone's copy");
                var copiedAt = (string?)_browser.Driver.ExecuteScript("return document.body.dataset.fieldCopy");
                _browser.Online();
                // Going online refreshes the copy in the background: timed after it, so it does not weigh on the host's side.
                _browser.WaitUntil(() => (string?)_browser.Driver.ExecuteScript("return document.body.dataset.fieldCopy") != copiedAt, "the copy refreshed");
                Open("#/children", "#children-list");
                onlineMs.Add(Open($"#/children/{child}", ".child-name"));
            }
        }
        finally
        {
            _browser.Online();
        }
        double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
        figures["openFileOfflineMsMedian"] = Median(offlineMs);
        figures["openFileOnlineMsMedian"] = Median(onlineMs);
        figures["openFileRatioOfflineOverOnline"] = Median(offlineMs.Zip(onlineMs, (a, b) => a / b).ToList());
        figures["openFileOfflineMs"] = offlineMs;
        figures["openFileOnlineMs"] = onlineMs;

        var json = JsonSerializer.Serialize(figures, new JsonSerializerOptions { WriteIndented = true });
        File.WriteAllText(Path.Combine(fixture.OutputFolder, "offline-figures.json"), json);
        output.WriteLine(json);
        _browser.AssertNoScriptErrors();
    }

    [Fact]
    public async Task ADirectorBehindOnVisitsOpensTheAppOfflineRecordsAVisitAndItArrivesOnceWhenTheSignalIsBack()
    {
        // A director of a village that fell behind (the demo county has ten): a child whose home visit is overdue.
        var (director, child, name) = await DirectorWithAVisitOverdueAsync();
        var notes = $"离线走访 {Guid.NewGuid():N}"[..16];
        _browser.ReadyForTheField(director);
        var village = (await fixture.Api.GetAsync(director, "/api/children?pageSize=100")).GetProperty("total").GetInt32();
        Assert.True(_browser.CopyEntries() >= 3 * village, $"the village's {village} files, contacts and care records are on the phone");
        try
        {
            _browser.Offline();
            _browser.Driver.Navigate().Refresh();
            // The app still opens, as the same director, from the phone.
            _browser.WaitFor("body[data-ready='true']");
            _browser.WaitForText("#children-list", name);
            Assert.Contains("离线", _browser.WaitFor("#offline-banner").Text);

            Assert.Contains("入户走访已逾期", _browser.WaitFor($"#overdue-card").Text);
            _browser.Click($"#children-list [data-child-id='{child}'] a");
            _browser.WaitForText("main .child-name", name);
            Assert.Contains("入户走访已逾期", _browser.WaitFor("#child-overdue").Text);
            var visitedAt = DateTime.Now.AddDays(-2).Date.AddHours(15).AddMinutes(30);
            _browser.Choose("kind", "home-visit");
            _browser.SetValue("#contact-form [name='at']", visitedAt.ToString("yyyy-MM-ddTHH:mm"));
            _browser.Type("#contact-form [name='notes']", notes);
            _browser.Click("#contact-form button[type='submit']");

            // Kept on the phone, shown as waiting, on the file and above every page.
            _browser.WaitForText("#queue-waiting", "入户走访");
            _browser.WaitForText("#contacts .is-waiting", notes);
            var entry = Assert.Single(_browser.Queue());
            Assert.Equal($"/api/children/{child}/contacts", entry.GetProperty("path").GetString());
            _browser.Screenshots("offline-director-visit-waiting");

            _browser.Online();
            _browser.WaitUntil(() => _browser.Queue().Length == 0, "the queue is sent");
            var stored = (await fixture.Api.GetAsync(director, $"/api/children/{child}/contacts")).EnumerateArray()
                .Where(c => c.GetProperty("notes").GetString() == notes).ToList();
            var visit = Assert.Single(stored);
            Assert.Equal("home-visit", visit.GetProperty("kind").GetString());
            // Dated when it was recorded on the phone (China time), not when it was sent.
            Assert.Equal(new DateTimeOffset(DateTime.SpecifyKind(visitedAt, DateTimeKind.Unspecified), TimeSpan.FromHours(8)).UtcDateTime, visit.GetProperty("at").GetDateTime(), TimeSpan.FromMinutes(1));
            var overdue = await fixture.Api.GetAsync(director, "/api/followups/overdue");
            Assert.DoesNotContain(overdue.EnumerateArray(), o => o.GetProperty("childId").GetString() == child && o.GetProperty("visitOverdueDays").GetDouble() > 0);

            // A flaky connection: the phone never heard the answer and sends the same visit again. Stored once.
            _browser.PutInQueue(entry.GetRawText());
            _browser.Driver.ExecuteScript("window.dispatchEvent(new Event('online'));");
            _browser.WaitUntil(() => _browser.Queue().Length == 0, "the repeated visit is answered");
            Assert.Single((await fixture.Api.GetAsync(director, $"/api/children/{child}/contacts")).EnumerateArray(),
                c => c.GetProperty("notes").GetString() == notes);
            _browser.Driver.Navigate().Refresh();
            _browser.WaitForText("#contacts", notes);
            Assert.Empty(_browser.All("#contacts .is-waiting"));
            // The file no longer says the home visit is overdue (calls may still be).
            _browser.WaitFor("main .child-name");
            Assert.DoesNotContain("入户走访已逾期", _browser.Driver.FindElement(OpenQA.Selenium.By.CssSelector("main")).Text);
        }
        finally
        {
            _browser.Online();
        }

        _browser.Go("/children");
        Assert.DoesNotContain(name, _browser.WaitFor("#overdue-card").Text.Split('\n').Where(l => l.Contains("入户走访")).FirstOrDefault(l => l.Contains(name)) ?? "");
        // Logout takes the copy off the phone.
        _browser.Logout();
        Assert.Equal(0, _browser.CopyEntries());
        _browser.AssertNoScriptErrors();
    }


    /// <summary>A numbered director whose village has a child with a home visit overdue (the first such, in number order).</summary>
    private async Task<(string Director, string Child, string Name)> DirectorWithAVisitOverdueAsync()
    {
        for (var village = 2; village <= 60; village++)
        {
            var director = $"director-{village:00}";
            var late = (await fixture.Api.GetAsync(director, "/api/followups/overdue")).EnumerateArray()
                .FirstOrDefault(o => o.GetProperty("visitOverdueDays").GetDouble() > 7);
            if (late.ValueKind == JsonValueKind.Object)
            {
                return (director, late.GetProperty("childId").GetString()!, late.GetProperty("familyName").GetString() + late.GetProperty("givenName").GetString());
            }
        }
        throw new InvalidOperationException("No village of the demo county is behind on home visits.");
    }
}
