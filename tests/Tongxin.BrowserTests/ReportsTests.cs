using Tongxin.BrowserTests.Infrastructure;
using Xunit;

namespace Tongxin.BrowserTests;

/// <summary>The supervisor reads and prints the town's ledger; a programme owner sees where services are short, and nothing else.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ReportsTests(BrowserFixture fixture)
{
    private readonly Browser _browser = new(fixture);

    [Fact]
    public void TheSupervisorReadsTheTownsLedgerGapsAndStaffingAndCanPrintTheLedger()
    {
        _browser.Reset();
        _browser.Login("supervisor");
        _browser.Click("#nav-list a[data-nav='/reports']");
        _browser.WaitForText("main h1", "统计报表");
        var town = _browser.WaitFor("#ledger-table tbody tr[data-town='500235102']");
        Assert.Contains("南溪镇", town.Text);
        var children = town.FindElements(OpenQA.Selenium.By.CssSelector("td"))[1].Text;
        Assert.True(int.Parse(children) > 0, $"children in the ledger: {children}");
        Assert.Contains("合计", _browser.WaitFor("#ledger-table tbody").Text);
        _browser.WaitFor("#gap-table tbody tr[data-line]");
        _browser.WaitFor("#ledger-print");
        _browser.WaitFor("#ledger-csv");
        // Counts only: no child's name reaches the page.
        var text = _browser.WaitFor("main").Text;
        Assert.DoesNotContain("小雨", text);
        Assert.DoesNotContain("小明", text);
        _browser.Screenshots("supervisor-reports");

        // The quarter before is one click away.
        _browser.Click("#ledger nav.filters a:not(.chip-on)");
        _browser.WaitUntil(() => _browser.Hash.Contains("quarter="), "quarter chosen");
        _browser.WaitFor("#ledger-table tbody tr[data-town='500235102']");
        _browser.AssertNoStackTrace();
        _browser.AssertNoScriptErrors();
    }

    [Fact]
    public void AProgrammeOwnerSeesTheGapMapAndNotTheLedger()
    {
        _browser.Reset();
        _browser.Login("fulian");
        _browser.Click("#nav-list a[data-nav='/reports']");
        _browser.WaitFor("#gap-table tbody tr[data-line]");
        Assert.Empty(_browser.All("#ledger-table"));
        Assert.Empty(_browser.All("#escalated-needs"));
        _browser.AssertNoScriptErrors();
    }
}
