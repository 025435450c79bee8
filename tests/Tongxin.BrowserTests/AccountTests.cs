using Tongxin.BrowserTests.Infrastructure;
using Xunit;

namespace Tongxin.BrowserTests;

/// <summary>Accounts in the web app (issue 16, point 5): deactivation and reset by civil affairs, the forced change after a reset.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AccountTests(BrowserFixture fixture)
{
    private const string PingAn = "500235102201";

    private readonly Browser _browser = new(fixture);

    /// <summary>A director of this test only: deactivating or resetting the demo's own would break the other journeys.</summary>
    private async Task<string> NewDirectorAsync()
    {
        var name = "dir" + Guid.NewGuid().ToString("N")[..8];
        await fixture.Api.PostAsync("admin", "/api/users", new { userName = name, password = SetupApi.Password, role = "child-director", regionCode = PingAn });
        return name;
    }

    [Fact]
    public async Task ADeactivatedDirectorLosesAccessOnTheirNextClick()
    {
        var name = await NewDirectorAsync();
        _browser.Reset();
        _browser.Login(name);
        _browser.WaitFor("#children-list");

        // Civil affairs deactivates the account from its own session (here, the API), while the director's page is open.
        var users = await fixture.Api.GetAsync("civil", $"/api/users?q={name}");
        var id = users.GetProperty("items").EnumerateArray().Single().GetProperty("id").GetString()!;
        await fixture.Api.PostAsync("civil", $"/api/users/{id}/deactivate", new { });

        _browser.Click("#nav-list a[data-nav='/needs']");
        _browser.WaitFor("#login-form");
        _browser.WaitForText("#toast", "登录");
        Assert.Equal("#/login", _browser.Hash);
        _browser.AssertNoStackTrace();
    }

    [Fact]
    public async Task CivilAffairsResetsAPasswordAndTheUserMustChangeItAtTheirNextSignIn()
    {
        var name = await NewDirectorAsync();
        _browser.Reset();
        _browser.Login("civil");
        _browser.Go($"/users?q={name}");
        _browser.WaitFor($"#users-table [data-user='{name}']");
        _browser.Screenshots("civil-users");
        _browser.Click($"#users-table [data-user='{name}'] [data-action='reset']");
        var temporary = _browser.WaitFor("#temporary-password code").Text;
        Assert.Equal(12, temporary.Length);
        _browser.Logout();

        // Signed in with the one-time password, the app shows only the change-password page.
        _browser.Login(name, temporary);
        _browser.WaitFor("#password-form");
        Assert.Equal("#/password", _browser.Hash);
        _browser.Go("/children");
        _browser.WaitFor("#password-form");
        _browser.Screenshots("password-must-change");

        _browser.Type("#password-form [name='currentPassword']", temporary);
        _browser.Type("#password-form [name='newPassword']", "Changed#2026-pw");
        _browser.Type("#password-form [name='repeat']", "Changed#2026-px");
        _browser.Click("#password-form button[type='submit']");
        Assert.Contains("不一致", _browser.FieldError("repeat"));

        _browser.Type("#password-form [name='repeat']", "Changed#2026-pw");
        _browser.Click("#password-form button[type='submit']");
        _browser.WaitFor("#login-form");
        _browser.WaitForText("#toast", "新密码");

        _browser.Login(name, "Changed#2026-pw");
        _browser.WaitFor("#children-list");
        _browser.AssertNoScriptErrors();
    }

    [Fact]
    public void CivilAffairsChecksAStaffListAndSeesEachBadRowsErrorBesideItThenImportsTheFixedList()
    {
        var phone = "139" + Random.Shared.Next(10_000_000, 99_999_999);
        var folder = Directory.CreateTempSubdirectory("tongxin-staff-").FullName;
        var bad = Path.Combine(folder, "staff-bad.csv");
        File.WriteAllText(bad, $"姓名,手机号,村/社区或乡镇\n陈红,{phone},{PingAn}\n刘伟,12345,不存在村\n");
        _browser.Reset();
        _browser.Login("civil");
        _browser.Go("/users");
        _browser.WaitFor("#import-form input[type='file']").SendKeys(bad);
        _browser.Click("#import-check");

        var badRow = _browser.WaitFor("#import-table [data-row='3']");
        Assert.Equal("error", badRow.GetAttribute("data-status"));
        Assert.Contains("手机号", badRow.Text);
        Assert.Contains("11 位", badRow.Text);
        Assert.Equal("new", _browser.WaitFor("#import-table [data-row='2']").GetAttribute("data-status"));
        Assert.Empty(_browser.All("#import-apply")); // nothing can be imported while a row is wrong
        Assert.DoesNotContain("null", _browser.WaitFor("#import-result").Text);
        _browser.Screenshots("civil-import-check");

        var good = Path.Combine(folder, "staff.csv");
        File.WriteAllText(good, $"姓名,手机号,村/社区或乡镇\n陈红,{phone},{PingAn}\n");
        _browser.WaitFor("#import-form input[type='file']").SendKeys(good);
        _browser.Click("#import-check");
        _browser.Click("#import-apply");
        _browser.WaitForText("#import-summary", "已导入");
        Assert.Equal(12, _browser.WaitFor("#import-table [data-row='2'] code").Text.Length);
        _browser.AssertNoScriptErrors();
    }
}
