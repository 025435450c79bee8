using System.Collections.ObjectModel;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;
using Xunit;

namespace Tongxin.BrowserTests.Infrastructure;

/// <summary>
/// What a test does in the browser: go to a page, sign in as a demo user, fill and submit forms, wait for
/// what the page shows (polling, never fixed sleeps), and screenshots at desktop and phone sizes.
/// </summary>
public sealed class Browser(BrowserFixture fixture)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    public const int DesktopWidth = 1280, DesktopHeight = 800, PhoneWidth = 390, PhoneHeight = 844;

    public ChromeDriver Driver => fixture.Driver;

    /// <summary>A fresh start: no session, Chinese, desktop size, on the login page.</summary>
    public void Reset()
    {
        Desktop();
        Driver.Navigate().GoToUrl(new Uri(fixture.Address, "/#/login"));
        Driver.ExecuteScript("sessionStorage.clear(); localStorage.clear();");
        // The phone's copy and queue (js/fieldcopy.js) of an earlier test go too.
        ((IJavaScriptExecutor)Driver).ExecuteAsyncScript(
            "const done = arguments[arguments.length - 1]; const r = indexedDB.deleteDatabase('tongxin-field'); r.onsuccess = r.onerror = r.onblocked = () => done(true);");
        Driver.Navigate().Refresh();
        WaitFor("body[data-ready='true']");
        WaitFor("#login-form");
    }

    public void Go(string hash)
    {
        Driver.Navigate().GoToUrl(new Uri(fixture.Address, "/#" + hash));
    }

    public void Login(string user, string password = SetupApi.Password)
    {
        if (Driver.FindElements(By.CssSelector("#login-form")).Count == 0)
        {
            Reset();
        }
        Type("#login-form [name='userName']", user);
        Type("#login-form [name='password']", password);
        Click("#login-form button[type='submit']");
        if (password == SetupApi.Password)
        {
            WaitFor("#logout:not([hidden])");
            WaitFor("main .page-head h1");
        }
    }

    /// <summary>The phone loses its signal: the page's requests fail (DevTools network emulation); the service worker still answers from its cache.</summary>
    public void Offline() => EmulateNetwork(offline: true);

    /// <summary>The signal is back.</summary>
    public void Online() => EmulateNetwork(offline: false);

    private void EmulateNetwork(bool offline)
    {
        Driver.ExecuteCdpCommand("Network.enable", new Dictionary<string, object?>());
        Driver.ExecuteCdpCommand("Network.emulateNetworkConditions", new Dictionary<string, object?>
        {
            ["offline"] = offline, ["latency"] = 0, ["downloadThroughput"] = -1, ["uploadThroughput"] = -1,
        });
    }

    /// <summary>Runs a script that ends by calling <c>done(value)</c> (a promise's result), and returns the value.</summary>
    public object? RunAsync(string script) =>
        ((IJavaScriptExecutor)Driver).ExecuteAsyncScript($"const done = arguments[arguments.length - 1]; {script}");

    public void Logout()
    {
        Click("#logout");
        WaitFor("#login-form");
    }

    public IWebElement WaitFor(string css) => Until(d =>
    {
        var element = d.FindElements(By.CssSelector(css)).FirstOrDefault();
        return element is not null && element.Displayed ? element : null;
    }, css);

    /// <summary>Waits for an element in the page, shown or not (an SVG's description, a hidden error).</summary>
    public IWebElement WaitForPresent(string css) => Until(d => d.FindElements(By.CssSelector(css)).FirstOrDefault(), css);

    /// <summary>Polls until condition holds.</summary>
    public void WaitUntil(Func<bool> condition, string what) => Until(_ => condition() ? (object)true : null, what);

    /// <summary>Waits until an element matching css shows text containing expected; returns it.</summary>
    public IWebElement WaitForText(string css, string expected) => Until(d =>
        d.FindElements(By.CssSelector(css)).FirstOrDefault(e => e.Displayed && e.Text.Contains(expected, StringComparison.Ordinal)), $"{css} containing \"{expected}\"");

    public ReadOnlyCollection<IWebElement> All(string css) => Driver.FindElements(By.CssSelector(css));

    public T Until<T>(Func<IWebDriver, T?> condition, string what)
    {
        var wait = new WebDriverWait(Driver, Timeout) { PollingInterval = TimeSpan.FromMilliseconds(100), Message = $"waiting for {what}" };
        wait.IgnoreExceptionTypes(typeof(StaleElementReferenceException), typeof(NoSuchElementException));
        try
        {
            return wait.Until(d => condition(d))!;
        }
        catch (WebDriverTimeoutException)
        {
            Save($"timeout-{DateTime.UtcNow:HHmmss}");
            throw;
        }
    }

    public void Click(string css)
    {
        var element = WaitFor(css);
        Driver.ExecuteScript("arguments[0].scrollIntoView({block: 'center'});", element);
        element.Click();
    }

    public void Type(string css, string text)
    {
        var element = WaitFor(css);
        element.Clear();
        element.SendKeys(text);
    }

    /// <summary>Sets an input's value as the user would (date and datetime inputs type differently per locale).</summary>
    public void SetValue(string css, string value)
    {
        var element = WaitFor(css);
        Driver.ExecuteScript(
            "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', {bubbles: true})); arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
            element, value);
    }

    /// <summary>Picks an option of a select by its value.</summary>
    public void Select(string css, string value) => SetValue(css, value);

    /// <summary>Ticks a radio button or checkbox of a field by its value.</summary>
    public void Choose(string field, string value) => Click($"[data-field='{field}'] input[value='{value}']");

    public string FieldError(string field) => WaitFor($"[data-field='{field}'] .field-error").Text;

    public string Hash => new Uri(Driver.Url).Fragment;

    public void Desktop() => Metrics(DesktopWidth, DesktopHeight, mobile: false);

    public void Phone() => Metrics(PhoneWidth, PhoneHeight, mobile: true);

    public void Metrics(int width, int height, bool mobile) =>
        Driver.ExecuteCdpCommand("Emulation.setDeviceMetricsOverride", new Dictionary<string, object?>
        {
            ["width"] = width,
            ["height"] = height,
            ["deviceScaleFactor"] = 1,
            ["mobile"] = mobile,
        });

    /// <summary>
    /// Screenshots of the current page at desktop size (the whole page, up to 2,400 px) and on a phone
    /// (the first screen), into tests/Tongxin.BrowserTests/output/. Checks that nothing is wider than the phone.
    /// </summary>
    public void Screenshots(string name)
    {
        Driver.ExecuteScript("document.getElementById('toast').hidden = true;"); // a passing message, not the page
        Phone();
        WaitForLayout();
        var overflow = Convert.ToInt64(Driver.ExecuteScript("return document.documentElement.scrollWidth;"));
        Save($"{name}.phone");
        Assert.True(overflow <= PhoneWidth, $"{name}: the page is {overflow} px wide on a {PhoneWidth} px phone");

        Desktop();
        WaitForLayout();
        var height = Convert.ToInt64(Driver.ExecuteScript("return Math.ceil(document.documentElement.scrollHeight);"));
        Metrics(DesktopWidth, (int)Math.Clamp(height, DesktopHeight, 2400), mobile: false);
        WaitForLayout();
        Save($"{name}.desktop");
        Desktop();
    }

    private void WaitForLayout() =>
        // two animation frames: the new viewport has been laid out and painted
        ((IJavaScriptExecutor)Driver).ExecuteAsyncScript("const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));");

    public void Save(string name)
    {
        try
        {
            Driver.GetScreenshot().SaveAsFile(Path.Combine(fixture.OutputFolder, $"{name}.png"));
        }
        catch (WebDriverException)
        {
            // a screenshot is a by-product: never the reason a test fails
        }
    }

    /// <summary>
    /// Nothing failed in the page's scripts since the last call: no uncaught error, nothing the content
    /// security policy refused. (Answers of 4xx that the app shows as problems are not script errors.)
    /// </summary>
    public void AssertNoScriptErrors()
    {
        var errors = Driver.Manage().Logs.GetLog(LogType.Browser)
            .Where(entry => entry.Level == LogLevel.Severe)
            .Select(entry => entry.Message)
            .Where(message => !message.Contains("Failed to load resource", StringComparison.Ordinal))
            .ToList();
        Assert.Empty(errors);
    }

    /// <summary>No page ever shows a stack trace or a raw exception.</summary>
    public void AssertNoStackTrace()
    {
        var text = Driver.FindElement(By.TagName("body")).Text;
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("stack", text, StringComparison.OrdinalIgnoreCase);
    }
}
