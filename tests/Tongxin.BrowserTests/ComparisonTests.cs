using Tongxin.BrowserTests.Infrastructure;
using Xunit;

namespace Tongxin.BrowserTests;

/// <summary>
/// The quarterly comparison with the police's roster in the web app (issue 19, point 3): civil affairs uploads a small
/// roster (a bad one first, its unknown header named), the village's director resolves an item on a phone.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ComparisonTests(BrowserFixture fixture)
{
    private const string PingAn = "500235102201";

    private readonly Browser _browser = new(fixture);

    [Fact]
    public void CivilAffairsUploadsAPoliceRosterAndTheDirectorResolvesTheirVillagesItemOnAPhone()
    {
        // A child of this run only, in the police's household register and without a file: a possible missing file in 平安村.
        var birth = DateOnly.FromDateTime(DateTime.UtcNow).AddYears(-8).AddDays(-Random.Shared.Next(1, 300)).ToString("yyyy-MM-dd");
        var folder = Directory.CreateTempSubdirectory("tongxin-comparison-").FullName;
        var bad = Path.Combine(folder, "police-bad.csv");
        File.WriteAllText(bad, $"姓名,出生日期,户籍村,民族\n何小溪,{birth},{PingAn},汉\n");
        var roster = Path.Combine(folder, "police.csv");
        File.WriteAllText(roster, $"姓名,出生日期,户籍村\n何小溪,{birth},{PingAn}\n");

        _browser.Reset();
        _browser.Login("civil");
        _browser.Click("[data-nav='/comparisons']");
        _browser.Click("#comparison-upload [data-field='source'] input[value='police']");
        _browser.WaitFor("#comparison-upload input[type='file']").SendKeys(bad);
        _browser.Click("#comparison-upload-send");
        Assert.Contains("民族", _browser.WaitFor("#comparison-upload-errors").Text); // the unknown header is named
        Assert.Empty(_browser.All("#comparison-list [data-source='police']")); // and nothing was written

        _browser.WaitFor("#comparison-upload input[type='file']").SendKeys(roster);
        _browser.Click("#comparison-upload-send");
        _browser.WaitFor("#comparison-summary");
        Assert.NotEmpty(_browser.All($"#comparison-villages [data-village='{PingAn}']"));
        _browser.WaitFor("#comparison-items [data-kind='missing-file']");
        _browser.Screenshots("civil-comparison");
        _browser.AssertNoScriptErrors();

        _browser.Reset();
        _browser.Phone();
        _browser.Login("director");
        _browser.Go("/comparisons");
        _browser.Click("#comparison-list [data-source='police'] a");
        var item = "#comparison-items [data-kind='missing-file']";
        Assert.Contains("何小溪", _browser.WaitFor(item).Text);
        Assert.Empty(_browser.All("#comparison-villages")); // a director has one village: no progress table
        _browser.Screenshots("director-comparison-item");

        // The note is required: the form says so next to it, and nothing is resolved.
        _browser.Click($"{item} [data-field='resolution'] input[value='roster-wrong']");
        _browser.Click($"{item} .comparison-resolve button[type='submit']");
        Assert.NotEmpty(_browser.WaitFor($"{item} [data-field='note'] .field-error").Text);

        _browser.Type($"{item} [data-field='note'] textarea", "入户核实：孩子随父母在外县上学，户籍未迁");
        _browser.Click($"{item} .comparison-resolve button[type='submit']");
        _browser.WaitUntil(() => _browser.All(item).Count == 0, "the resolved item to leave the open list");
        _browser.Click("[data-state='resolved']");
        var resolved = _browser.WaitFor("#comparison-items [data-kind='missing-file'][data-state='resolved']");
        Assert.Contains("户籍未迁", resolved.Text);
        _browser.AssertNoScriptErrors();
    }
}
