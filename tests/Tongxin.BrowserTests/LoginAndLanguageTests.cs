using Tongxin.BrowserTests.Infrastructure;
using Xunit;

namespace Tongxin.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed class LoginAndLanguageTests(BrowserFixture fixture)
{
    private readonly Browser _browser = new(fixture);

    [Fact]
    public void AWrongPasswordShowsTheHostsErrorInChinese()
    {
        _browser.Reset();
        Assert.Equal("登录", _browser.WaitFor("main h1").Text);
        _browser.Screenshots("login");

        _browser.Login("director", "not-the-password");

        var problem = _browser.WaitFor("#login-form .problem");
        Assert.Contains("用户名或密码错误", problem.Text);
        Assert.Contains("未登录或登录已失效", problem.Text);
        Assert.Equal("#/login", _browser.Hash);
        _browser.AssertNoStackTrace();
        _browser.Screenshots("login-wrong-password");
    }

    [Fact]
    public void EmptyLoginFieldsShowTheirErrorsNextToEachField()
    {
        _browser.Reset();
        _browser.Click("#login-form button[type='submit']");
        Assert.Equal("必须填写。", _browser.FieldError("userName"));
        Assert.Equal("必须填写。", _browser.FieldError("password"));
    }

    [Fact]
    public void TheLanguageSwitchTurnsTheAppAndTheHostsMessagesIntoEnglishAndBack()
    {
        _browser.Reset();
        _browser.Click("#lang-switch");
        _browser.WaitForText("main h1", "Sign in");
        Assert.Equal("en", _browser.Driver.ExecuteScript("return document.documentElement.lang"));
        Assert.Equal("中文", _browser.WaitFor("#lang-switch").Text);

        // the host answers in English too (Accept-Language: en)
        _browser.Login("director", "still-not-the-password");
        Assert.Contains("Wrong user name or password.", _browser.WaitFor("#login-form .problem").Text);

        _browser.Login("director");
        _browser.WaitFor("#children-list");
        Assert.Equal("Children", _browser.WaitFor("main h1").Text);
        _browser.WaitForText("#nav-list", "Needs");
        _browser.WaitForText("#children-list", "Medium risk");
        _browser.WaitForText("#user-badge", "Child director");
        _browser.Screenshots("director-children.en");

        // a line's own form comes in English from GET /api/modules
        _browser.Click("#children-list [data-child-id] a.child-link");
        _browser.Click("#request-help");
        _browser.WaitForText("#need-form", "Caring Mother");

        _browser.Click("#lang-switch");
        _browser.WaitForText("#need-form", "爱心妈妈");
        _browser.WaitForText("#nav-list", "儿童档案");
        Assert.Equal("zh-CN", _browser.Driver.ExecuteScript("return document.documentElement.lang"));
    }

    [Fact]
    public void SigningOutReturnsToTheLoginPageAndForgetsTheSession()
    {
        _browser.Reset();
        _browser.Login("supervisor");
        _browser.WaitFor("#charts");
        _browser.Logout();
        Assert.Equal("", _browser.Driver.ExecuteScript("return sessionStorage.getItem('tongxin.token') ?? ''"));
        _browser.Go("/children");
        _browser.WaitFor("#login-form");
    }
}
