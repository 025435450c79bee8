using System.Security.Cryptography;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.BrowserTests.Infrastructure;

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}

/// <summary>
/// One demo host process (real Kestrel on a loopback port, SQLite in a temp folder) and one headless
/// Debian Chromium driven through chromedriver, shared by every browser test (they run one after another).
/// The demo county is topped up through the API with what the dashboards and the social-work page read.
/// </summary>
public class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string ChromeDriverPath = "/usr/bin/chromedriver";

    private readonly string _hostFolder = Directory.CreateTempSubdirectory("tongxin-browser-host-").FullName;
    private readonly string _profileFolder = Directory.CreateTempSubdirectory("tongxin-browser-profile-").FullName;
    private HostProcess? _host;
    private ChromeDriverService? _service;

    public Uri Address => _host!.Address;
    public ChromeDriver Driver { get; private set; } = null!;
    public SetupApi Api { get; private set; } = null!;
    public static string WebRoot { get; } = Path.Combine(HostProcess.RepositoryRoot, "host", "Tongxin.Host", "wwwroot");
    public string OutputFolder { get; } = Path.Combine(HostProcess.RepositoryRoot, "tests", "Tongxin.BrowserTests", "output");

    /// <summary>Set up by the fixture: a purchased-services contract with the demo social-work organisation.</summary>
    public string ContractId { get; private set; } = "";
    public string ContractTitle { get; } = "南溪镇儿童心理辅导服务（测试）";

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath) || !File.Exists(ChromeDriverPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} or {ChromeDriverPath} is missing: run `bash tests/ensure-chromium.sh` first.");
        }
        if (!File.Exists(HostProcess.HostAssembly))
        {
            throw new InvalidOperationException($"{HostProcess.HostAssembly} is missing: build the tests (they build the host).");
        }
        Directory.CreateDirectory(OutputFolder);

        var environment = new Dictionary<string, string>
        {
            ["Matching__AutoRun"] = "true",
            ["Encryption__FieldKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Logging__LogLevel__Default"] = "Warning",
        };
        var hostStart = Task.Run(async () =>
        {
            // The built host's content root is the temp folder (data/ lands there); the web app is served from the source tree.
            _host = HostProcess.Start(_hostFolder, environment, [DemoArgument, "--webroot", WebRoot]);
            if (!await _host.WaitUntilHealthyAsync(StartsWithin))
            {
                throw new InvalidOperationException($"The host did not become healthy:\n{_host.Output}");
            }
        });
        var browserStart = Task.Run(StartBrowser);
        await Task.WhenAll(hostStart, browserStart);

        Api = new SetupApi(Address);
        await SeedAsync();
    }

    private void StartBrowser()
    {
        _service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriverPath)!, Path.GetFileName(ChromeDriverPath));
        _service.HideCommandPromptWindow = true;
        _service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = ChromiumPath };
        options.SetLoggingPreference(LogType.Browser, LogLevel.All); // the console, read by Browser.AssertNoScriptErrors
        options.AddArguments(
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", $"--user-data-dir={_profileFolder}",
            "--window-size=1280,800", "--hide-scrollbars", "--force-device-scale-factor=1", "--lang=zh-CN");
        Driver = new ChromeDriver(_service, options, TimeSpan.FromSeconds(60));
        Driver.Manage().Timeouts().PageLoad = TimeSpan.FromSeconds(30);
        // A phone in a Chinese village: China time and a Chinese locale (date inputs, Intl), whatever this machine's settings.
        Driver.ExecuteCdpCommand("Emulation.setTimezoneOverride", new Dictionary<string, object?> { ["timezoneId"] = "Asia/Shanghai" });
        Driver.ExecuteCdpCommand("Emulation.setLocaleOverride", new Dictionary<string, object?> { ["locale"] = "zh-CN" });
    }

    /// <summary>Which demo the host seeds at start (`--demo`, the small county every page's test uses).</summary>
    protected virtual string DemoArgument => "--demo";

    protected virtual TimeSpan StartsWithin => TimeSpan.FromSeconds(90);

    /// <summary>What the demo county lacks for the pages under test: needs on other lines, a concern, a contract with a delivery.</summary>
    protected virtual async Task SeedAsync()
    {
        var xiaoyu = await Api.ChildIdAsync("小雨");
        var xiaoming = await Api.ChildIdAsync("小明");
        // No counsellor in the demo county: this need stays open. The holiday need is offered to the youth league's camp.
        await Api.PostAsync("director", $"/api/children/{xiaoyu}/needs",
            new { line = "counselling", urgency = "urgent", details = new { reasonCategory = "emotional", mode = "in-person" } });
        await Api.PostAsync("director", $"/api/children/{xiaoming}/needs",
            new { line = "holiday-activities", urgency = "normal", details = new { interests = new[] { "sport", "safety-education" }, period = "winter" } });
        // A need matched already (the dashboards' days to match): 小明's maths tutoring, offered to the demo volunteer
        // (capacity 2: one place stays for the Caring Mother journey) and accepted.
        var tutoring = await Api.PostAsync("director", $"/api/children/{xiaoming}/needs",
            new { line = "tutoring", urgency = "normal", details = new { subject = "maths", grade = 6, schedule = new[] { "weekday-afternoon" }, mode = "in-person" } });
        var tutoringNeed = tutoring.GetProperty("id").GetString()!;
        var offerId = await Api.WaitForOfferAsync("volunteer", tutoringNeed, TimeSpan.FromSeconds(30));
        await Api.PostAsync("volunteer", $"/api/offers/{offerId}/accept", new { });
        await Api.PostAsync("director", "/api/concerns", new { childId = xiaoyu, kind = "guardian-unable", details = "祖父住院，孩子晚上独自在家。" });

        var organisations = await Api.GetAsync("civil", "/api/organisations");
        var socialWork = organisations.EnumerateArray().First(o => o.GetProperty("kind").GetString() == "social-work-org").GetProperty("id").GetString()!;
        var china = DateTime.UtcNow.AddHours(8);
        var contract = await Api.PostAsync("civil", "/api/contracts", new
        {
            organisationId = socialWork,
            line = "counselling",
            title = ContractTitle,
            regionCodes = new[] { "500235102" },
            units = 40,
            unitKind = "session",
            unitPrice = 150,
            startsOn = china.AddDays(-60).ToString("yyyy-MM-dd"),
            endsOn = china.AddDays(300).ToString("yyyy-MM-dd"),
            fundingSource = "welfare-lottery",
        });
        ContractId = contract.GetProperty("id").GetString()!;
        await Api.PostAsync("shegong", $"/api/contracts/{ContractId}/deliveries",
            new { childId = xiaoyu, at = DateTime.UtcNow.AddDays(-3), units = 3, kind = "session", notes = "个体心理辅导" },
            new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() });
    }

    public string HostOutput => _host?.Output ?? "";

    public async Task DisposeAsync()
    {
        try
        {
            Driver?.Quit();
        }
        catch (Exception)
        {
            // the browser is gone already
        }
        Driver?.Dispose();
        _service?.Dispose();
        Api?.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
        foreach (var folder in new[] { _hostFolder, _profileFolder })
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class CountyBrowserCollection : ICollectionFixture<CountyBrowserFixture>
{
    public const string Name = "county-browser";
}

/// <summary>The same, on the full demo county (`--demo=county`: 3,000 children): the README's pictures and the offline figures.</summary>
public sealed class CountyBrowserFixture : BrowserFixture
{
    protected override string DemoArgument => "--demo=county";

    // Seeding about a minute on a busy machine, and the first matching batches.
    protected override TimeSpan StartsWithin => TimeSpan.FromSeconds(240);

    protected override Task SeedAsync() => Task.CompletedTask;
}
