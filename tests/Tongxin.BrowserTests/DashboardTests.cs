using OpenQA.Selenium;
using Tongxin.BrowserTests.Infrastructure;
using Xunit;

namespace Tongxin.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed class DashboardTests(BrowserFixture fixture)
{
    private readonly Browser _browser = new(fixture);

    [Fact]
    public void CivilAffairsSeesTheCountyDashboardWithChartsAndRunsMatching()
    {
        _browser.Reset();
        _browser.Login("civil");
        Assert.Equal("#/dashboard", _browser.Hash);
        _browser.WaitForText("main h1", "云阳县（示范）");
        _browser.WaitFor("#charts figure[data-chart='donut'] svg[role='img']");
        _browser.WaitFor("#charts figure[data-chart='stacked'] svg");
        Assert.True(_browser.All("svg.chart-svg").Count >= 4);

        // every number a chart shows is also in its text description
        var risk = _browser.WaitForPresent("#charts figure[data-chart='donut'] svg desc").GetDomProperty("textContent")!;
        Assert.Contains("高风险", risk);
        var needs = _browser.WaitForPresent("#charts figure[data-chart='stacked'] svg desc").GetDomProperty("textContent")!;
        Assert.Contains("心理辅导", needs);
        Assert.Contains("待匹配", needs);

        Assert.NotEqual("0", _browser.WaitFor("[data-stat='children'] .stat-value").Text);
        Assert.NotEqual("0", _browser.WaitFor("[data-stat='concerns'] .stat-value").Text);
        Assert.NotEqual("—", _browser.WaitFor("[data-stat='median-days'] .stat-value").Text); // 小明's tutoring was matched
        Assert.Contains("已匹配", needs);
        _browser.WaitForText("#dash-concerns", "监护人无法履责");
        _browser.WaitForText("#dash-contracts", fixture.ContractTitle);
        _browser.Screenshots("civil-dashboard");

        _browser.Click("#matching-form button[type='submit']");
        _browser.WaitForText("#matching-result", "心理辅导");

        // a town's view
        _browser.Click("main .filters a[href='#/dashboard?region=500235102']");
        _browser.WaitForText("main h1", "南溪镇");
        _browser.WaitFor("#charts figure[data-chart='donut']");
        _browser.AssertNoStackTrace();
    }

    [Fact]
    public void TheSupervisorSeesTheTownsDashboardAndReadsAFileWithoutTheDirectorsForms()
    {
        _browser.Reset();
        _browser.Login("supervisor");
        _browser.WaitForText("main h1", "南溪镇");
        _browser.WaitFor("#charts figure[data-chart='donut']");
        _browser.WaitForText("#dash-concerns", "监护人无法履责");
        Assert.Empty(_browser.All("#matching-form"));
        _browser.Screenshots("supervisor-dashboard");

        _browser.Click("#nav-list a[data-nav='/children']");
        _browser.Click("#children-list [data-child-id] a.child-link");
        _browser.WaitFor("main .facts");
        Assert.Empty(_browser.All("#contact-form"));
        Assert.Empty(_browser.Driver.FindElements(By.CssSelector("#request-help")));
    }
}
