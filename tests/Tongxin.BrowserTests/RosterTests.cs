using Tongxin.BrowserTests.Infrastructure;
using Xunit;

namespace Tongxin.BrowserTests;

/// <summary>The county's roster in the web app (issue 16, points 1 and 5): the dry-run table with each bad row's errors beside it, then the import.</summary>
[Collection(BrowserCollection.Name)]
public sealed class RosterTests(BrowserFixture fixture)
{
    private const string PingAn = "500235102201";

    private readonly Browser _browser = new(fixture);

    [Fact]
    public void CivilAffairsChecksARosterSeesEachBadRowsErrorsThenImportsTheFixedRosterAndOpensTheNewFile()
    {
        // A birth date of this run only, so the child is new to the demo county whatever ran before.
        var birth = DateOnly.FromDateTime(DateTime.UtcNow).AddYears(-9).AddDays(-Random.Shared.Next(1, 300)).ToString("yyyy-MM-dd");
        const string headers = "姓名,性别,出生日期,村/社区,类别,监护情况,风险等级";
        var good = $"林小雨,女,{birth},{PingAn},留守儿童,父母均在外务工，由外婆照料,中\n";
        var folder = Directory.CreateTempSubdirectory("tongxin-roster-").FullName;
        var bad = Path.Combine(folder, "roster-bad.csv");
        File.WriteAllText(bad, headers + "\n" + good + "王小虎,男,2015-02-30,平安村,留守儿童,祖父照料,中\n黄小兰,女,2014-06-01,不存在村,孤儿,祖母照料,低\n");

        _browser.Reset();
        _browser.Login("civil");
        _browser.Go("/children");
        _browser.Click("#roster-import");
        _browser.WaitFor("#import-form input[type='file']").SendKeys(bad);
        _browser.Click("#import-check");

        Assert.Equal("new", _browser.WaitFor("#import-table [data-row='2']").GetAttribute("data-status"));
        var badDate = _browser.WaitFor("#import-table [data-row='3']");
        Assert.Equal("error", badDate.GetAttribute("data-status"));
        Assert.Contains("出生日期", badDate.Text);
        var badVillage = _browser.WaitFor("#import-table [data-row='4']");
        Assert.Contains("村/社区", badVillage.Text);
        Assert.Contains("类别", badVillage.Text);
        Assert.Contains("留守儿童", badVillage.Text); // the accepted values are offered
        Assert.Empty(_browser.All("#import-apply")); // nothing can be imported while a row is wrong
        Assert.Contains("有错误 2 行", _browser.WaitFor("#import-summary").Text);
        _browser.Screenshots("civil-roster-check");

        var fixedRoster = Path.Combine(folder, "roster.csv");
        File.WriteAllText(fixedRoster, headers + "\n" + good);
        _browser.WaitFor("#import-form input[type='file']").SendKeys(fixedRoster);
        _browser.Click("#import-check");
        _browser.Click("#import-apply");
        _browser.WaitForText("#import-summary", "已导入");
        _browser.Click("#import-table [data-row='2'] a");
        _browser.WaitForText(".file-head .child-name", "林小雨");

        // The same roster again: the row is the file it opened, nothing to import.
        _browser.Go("/children/import");
        _browser.WaitFor("#import-form input[type='file']").SendKeys(fixedRoster);
        _browser.Click("#import-check");
        Assert.Equal("same", _browser.WaitFor("#import-table [data-row='2']").GetAttribute("data-status"));
        Assert.Empty(_browser.All("#import-apply"));
        _browser.AssertNoScriptErrors();
    }

    [Fact]
    public void ADirectorHasNoRosterImport()
    {
        _browser.Reset();
        _browser.Login("director");
        _browser.WaitFor("#children-list");
        Assert.Empty(_browser.All("#roster-import"));
    }
}
