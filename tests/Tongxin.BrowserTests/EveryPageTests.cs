using OpenQA.Selenium;
using Tongxin.BrowserTests.Infrastructure;
using Xunit;

namespace Tongxin.BrowserTests;

/// <summary>Every page in every role's navigation opens without an error, fits a phone and shows no stack trace.</summary>
[Collection(BrowserCollection.Name)]
public sealed class EveryPageTests(BrowserFixture fixture)
{
    private readonly Browser _browser = new(fixture);

    [Theory]
    [InlineData("admin", "#/admin")]
    [InlineData("civil", "#/dashboard")]
    [InlineData("supervisor", "#/dashboard")]
    [InlineData("director", "#/children")]
    [InlineData("fulian", "#/programmes")]
    [InlineData("shegong", "#/contracts")]
    [InlineData("volunteer", "#/offers")]
    public void EachPageOfTheRolesNavigationOpensCleanly(string user, string home)
    {
        _browser.Reset();
        _browser.Login(user);
        Assert.Equal(home, _browser.Hash);
        var pages = _browser.All("#nav-list a").Select(a => a.GetDomAttribute("data-nav")!).ToList();
        Assert.NotEmpty(pages);
        // Every role's inbox and notification settings, reached from the top bar rather than the navigation.
        pages.AddRange(["/notifications", "/notifications/settings"]);
        foreach (var page in pages)
        {
            var inNavigation = !page.StartsWith("/notifications", StringComparison.Ordinal);
            if (inNavigation) _browser.Click($"#nav-list a[data-nav='{page}']");
            else _browser.Go(page);
            _browser.WaitUntil(() => _browser.Hash == "#" + page, page);
            _browser.WaitUntil(() => _browser.Driver.FindElement(By.Id("main")).GetDomAttribute("aria-busy") is null
                && _browser.All("main .page-head h1").Count == 1, $"{page} loaded");
            if (inNavigation) Assert.Equal("page", _browser.WaitFor($"#nav-list a[data-nav='{page}']").GetDomAttribute("aria-current"));
            Assert.DoesNotContain(_browser.All("main [role='alert']"), e => e.Displayed);
            _browser.AssertNoStackTrace();
            _browser.AssertNoScriptErrors();

            _browser.Phone();
            _browser.Save($"every-page.{user}.{page.Trim('/').Replace('/', '-')}.phone");
            var width = Convert.ToInt64(_browser.Driver.ExecuteScript("return document.documentElement.scrollWidth;"));
            _browser.Desktop();
            Assert.True(width <= Browser.PhoneWidth, $"{user} {page}: {width} px wide on a phone");
        }
    }
}
