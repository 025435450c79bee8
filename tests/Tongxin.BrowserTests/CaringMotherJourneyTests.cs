using Tongxin.BrowserTests.Infrastructure;
using Xunit;

namespace Tongxin.BrowserTests;

/// <summary>
/// The main journey across roles: the child director asks for a Caring Mother (爱心妈妈) for 小花 with
/// the line's own form; matching offers her to the demo volunteer 刘芳 (a vetted woman in the same town);
/// the volunteer reads why and accepts; the director sees the need matched with the volunteer's name.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class CaringMotherJourneyTests(BrowserFixture fixture)
{
    private readonly Browser _browser = new(fixture);

    [Fact]
    public void DirectorRequestsACaringMotherTheVolunteerAcceptsAndTheDirectorSeesTheMatch()
    {
        // --- the director: children, the child's file, a call logged, the request for help
        _browser.Reset();
        _browser.Login("director");
        _browser.WaitForText("#children-list", "王小花");
        _browser.Screenshots("director-children");

        var card = _browser.WaitForText("#children-list [data-child-id]", "王小花");
        var childId = card.GetDomAttribute("data-child-id")!;
        _browser.Click($"#children-list [data-child-id='{childId}'] a.child-link");
        _browser.WaitFor("#contact-form");
        _browser.WaitForText("main", "父母均在广东务工");

        _browser.Type("#contact-form [name='notes']", "电话联系祖母，孩子近况良好。");
        _browser.Click("#contact-form button[type='submit']");
        _browser.WaitForText("#contacts", "电话联系祖母，孩子近况良好。");
        _browser.Screenshots("director-child");

        _browser.Click("#request-help");
        _browser.WaitFor("#need-form");
        _browser.Choose("line", "caring-mother");
        _browser.WaitForText("#line-fields", "孩子需要的关爱");

        // no support kind chosen: the host's message, in Chinese, next to that field
        _browser.Click("#need-form button[type='submit']");
        Assert.Equal("必须填写“孩子需要的关爱”。", _browser.FieldError("details.supportKinds"));
        _browser.WaitFor("#need-form .problem");
        Assert.StartsWith("#/children/", _browser.Hash);
        _browser.Screenshots("director-request-help-error");

        _browser.Choose("details.supportKinds", "emotional-comfort");
        _browser.Choose("details.supportKinds", "study-encouragement");
        _browser.Choose("urgency", "urgent");
        _browser.Click("#need-form button[type='submit']");
        _browser.WaitUntil(() => _browser.Hash.StartsWith("#/needs/", StringComparison.Ordinal), "the need's page");
        var needHash = _browser.Hash;
        _browser.WaitForText("main", "爱心妈妈");
        _browser.WaitForText("main .facts", "精神抚慰");
        _browser.Logout();

        // --- the volunteer: the offer and its reasons (matching runs by itself, a moment later)
        _browser.Login("volunteer");
        Assert.Equal("#/offers", _browser.Hash);
        var lastRefresh = System.Diagnostics.Stopwatch.StartNew();
        var offer = _browser.Until(d =>
        {
            var found = _browser.All("#offers-pending .offer-card[data-line='caring-mother']").FirstOrDefault(e => e.Text.Contains("小花", StringComparison.Ordinal));
            if (found is null && lastRefresh.ElapsedMilliseconds >= 500)
            {
                _browser.Click("#refresh"); // the page's own refresh button, at most twice a second
                lastRefresh.Restart();
            }
            return found;
        }, "the caring-mother offer for 小花");
        Assert.Contains("9岁", offer.Text);
        Assert.DoesNotContain("王", offer.Text); // the family name stays with the file's staff
        Assert.Contains("精神抚慰", offer.Text);
        Assert.Contains("关爱内容匹配", offer.Text);
        Assert.Contains("同镇", offer.Text);
        Assert.True(offer.FindElements(OpenQA.Selenium.By.CssSelector(".reasons li")).Count >= 3);
        _browser.Screenshots("volunteer-offers");

        var offerId = offer.GetDomAttribute("data-offer-id")!;
        _browser.Click($".offer-card[data-offer-id='{offerId}'] button.accept");
        _browser.WaitUntil(() => _browser.Hash == "#/pairings", "the pairings page");
        var pairing = _browser.WaitForText("#pairings .pairing-card", "小花");
        Assert.Contains("结对中", pairing.Text);

        // a first session
        var pairingId = pairing.GetDomAttribute("data-pairing-id")!;
        _browser.Type($"#session-form-{pairingId} [name='notes']", "一起读绘本，聊学校的事。");
        _browser.Click($"#session-form-{pairingId} button[type='submit']");
        _browser.WaitForText($"[data-pairing-id='{pairingId}'] .sessions", "一起读绘本");
        _browser.Screenshots("volunteer-pairings");
        _browser.Logout();

        // --- the director: the need matched, with the volunteer's name
        _browser.Login("director");
        _browser.Go(needHash.TrimStart('#'));
        Assert.Contains("刘芳（志愿者）", _browser.WaitFor("#matched-provider").Text);
        Assert.Equal("已匹配", _browser.WaitFor("main .file-head [data-value='matched']").Text);
        _browser.WaitForText("#need-offers", "已接受");
        _browser.Screenshots("director-need-matched");

        _browser.Go($"/children/{childId}");
        _browser.WaitForText("#care-pairings", "刘芳（志愿者）");
        _browser.WaitForText("#child-needs", "已匹配");
        _browser.AssertNoStackTrace();
        _browser.AssertNoScriptErrors();
        _browser.Screenshots("director-child-matched");
    }
}
