using Tongxin.BrowserTests.Infrastructure;
using Xunit;

namespace Tongxin.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed class SocialWorkTests(BrowserFixture fixture)
{
    private readonly Browser _browser = new(fixture);

    [Fact]
    public async Task TheSocialWorkOrganisationReportsADeliveryAndSeesEachBadLineOfACsv()
    {
        var xiaoming = await fixture.Api.ChildIdAsync("小明");
        _browser.Reset();
        _browser.Login("shegong");
        Assert.Equal("#/contracts", _browser.Hash);
        _browser.WaitForText("#contracts", fixture.ContractTitle);
        _browser.WaitForText($"[data-contract-id='{fixture.ContractId}']", "已服务 3 / 40 次");
        _browser.Click($"[data-contract-id='{fixture.ContractId}'] h2 a");
        _browser.WaitFor("#delivery-form");
        Assert.Equal("3", _browser.WaitFor("[data-stat='rec.delivered'] .stat-value").Text);

        _browser.Type("#delivery-form [name='childId']", xiaoming);
        _browser.Type("#delivery-form [name='units']", "2");
        _browser.Type("#delivery-form [name='notes']", "团体辅导：情绪认识");
        _browser.Click("#delivery-form button[type='submit']");
        _browser.WaitForText("[data-stat='rec.delivered'] .stat-value", "5");
        _browser.WaitForText("[data-stat='rec.remaining'] .stat-value", "35");
        Assert.Equal(2, _browser.All("#deliveries tbody tr").Count);

        // a CSV with one good and one bad row: nothing is written, the bad line is named
        var csv = Path.Combine(Path.GetTempPath(), $"deliveries-{Guid.NewGuid():N}.csv");
        var at = DateTime.UtcNow.AddHours(-2).ToString("yyyy-MM-ddTHH:mm:ssZ");
        await File.WriteAllTextAsync(csv, $"childId,at,units,kind,notes\n{xiaoming},{at},1,session,小组活动\n{xiaoming},{at},两,session,写错的数量\n");
        try
        {
            _browser.WaitFor("#upload-form input[type='file']").SendKeys(csv);
            _browser.Click("#upload-form button[type='submit']");
            var problem = _browser.WaitForText("#upload-form .problem", "第 3 行");
            Assert.Contains("全部未写入", problem.Text);
        }
        finally
        {
            File.Delete(csv);
        }
        Assert.Equal("5", _browser.WaitFor("[data-stat='rec.delivered'] .stat-value").Text);
        _browser.Screenshots("socialwork-contract");

        // the CSV export, fetched with the token and saved under the host's file name
        var downloads = Directory.CreateTempSubdirectory("tongxin-downloads-").FullName;
        try
        {
            _browser.Driver.ExecuteCdpCommand("Browser.setDownloadBehavior", new Dictionary<string, object?> { ["behavior"] = "allow", ["downloadPath"] = downloads });
            _browser.Click("#download-deliveries");
            _browser.WaitUntil(() => Directory.GetFiles(downloads, "deliveries-*.csv").Length == 1, "deliveries CSV downloaded");
            var bytes = await File.ReadAllBytesAsync(Directory.GetFiles(downloads, "deliveries-*.csv")[0]);
            Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]); // UTF-8 with a BOM, for Excel
            var exported = System.Text.Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3);
            Assert.StartsWith("deliveryId,childId,", exported);
            Assert.Contains(xiaoming, exported);
        }
        finally
        {
            Directory.Delete(downloads, recursive: true);
        }
    }
}
