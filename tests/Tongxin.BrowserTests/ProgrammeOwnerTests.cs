using Tongxin.BrowserTests.Infrastructure;
using Xunit;

namespace Tongxin.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed class ProgrammeOwnerTests(BrowserFixture fixture)
{
    private readonly Browser _browser = new(fixture);

    [Fact]
    public void TheYouthLeaguePostsAHolidayProgrammeWithTheLinesFieldsAndSeesItsSeats()
    {
        _browser.Reset();
        _browser.Login("tuanwei");
        Assert.Equal("#/programmes", _browser.Hash);
        _browser.WaitFor("#programme-form");

        _browser.Click("#programme-form button[type='submit']");
        Assert.Equal("必须填写。", _browser.FieldError("title"));
        _browser.WaitFor("[data-field='seats'] .field-error");

        _browser.Select("#programme-form [name='line']", "holiday-activities");
        _browser.WaitForText("#programme-line-fields", "活动内容");
        _browser.Type("#programme-form [name='title']", "暑期阅读营（南溪镇）");
        _browser.Choose("details.activities", "reading");
        _browser.Choose("details.activities", "safety-education");
        _browser.Select("#programme-form [name='details.period']", "summer");
        _browser.Choose("regionCodes", "500235102");
        _browser.Type("#programme-form [name='seats']", "25");
        _browser.Type("#programme-form [name='fundingSource']", "团县委专项");
        _browser.SetValue("#programme-form [name='startsOn']", $"{DateTime.UtcNow.Year + 1}-07-10");
        _browser.SetValue("#programme-form [name='endsOn']", $"{DateTime.UtcNow.Year + 1}-08-20");
        _browser.Type("#programme-form [name='ageMin']", "7");
        _browser.Type("#programme-form [name='ageMax']", "14");
        _browser.Click("#programme-form button[type='submit']");

        var card = _browser.WaitForText("#programmes .programme-card", "暑期阅读营（南溪镇）");
        Assert.Contains("已占 0 / 共 25", card.Text);
        Assert.Contains("排队等待：0 人", card.Text);
        Assert.Contains("本单位", card.Text);
        Assert.Contains("阅读", card.Text);
        // the demo camp has the holiday need of 小明 offered to it
        _browser.WaitForText("#programmes .programme-card", "七彩假期·防溺水安全营");
        _browser.Screenshots("programme-owner-programmes");

        // the offer made to the organisation's camp for 小明's holiday need: declined, with a reason
        _browser.Click("#nav-list a[data-nav='/offers']");
        var offer = _browser.WaitForText("#offers-pending .offer-card", "小明");
        Assert.Contains("七彩假期·防溺水安全营", offer.Text);
        var offerId = offer.GetDomAttribute("data-offer-id")!;
        _browser.Click($".offer-card[data-offer-id='{offerId}'] button.decline");
        _browser.Click($"#decline-form-{offerId} button[type='submit']");
        Assert.Contains("必须", _browser.WaitFor($"#decline-form-{offerId} [data-field='reason'] .field-error").Text);
        _browser.Type($"#decline-form-{offerId} [name='reason']", "营地名额已满，建议参加寒假第二期。");
        _browser.Click($"#decline-form-{offerId} button[type='submit']");
        _browser.WaitUntil(() => _browser.All($"#offers-pending [data-offer-id='{offerId}']").Count == 0, "the declined offer leaves the pending list");
        _browser.Click("details.history summary");
        _browser.WaitForText($"details.history [data-offer-id='{offerId}']", "已婉拒");
    }

    [Fact]
    public void TheWomensFederationRegistersAVolunteerAndRecordsTheVetting()
    {
        _browser.Reset();
        _browser.Login("fulian");
        _browser.Click("#nav-list a[data-nav='/volunteers']");
        _browser.WaitFor("#volunteer-form");

        _browser.Type("#volunteer-form [name='displayName']", "周老师（妇联志愿者）");
        _browser.Choose("gender", "female");
        _browser.Type("#volunteer-form [name='capacity']", "2");
        _browser.Select("#volunteer-form [name='regionCode']", "500235001");
        _browser.Choose("lines", "tutoring");
        _browser.WaitForText("#volunteer-line-fields", "可辅导科目");
        _browser.Click("#volunteer-form button[type='submit']");
        Assert.Equal("必须填写“可辅导科目”。", _browser.FieldError("skills.tutoring.subjects"));

        _browser.Choose("skills.tutoring.subjects", "english");
        _browser.Type("#volunteer-form [name='skills.tutoring.gradeMin']", "7");
        _browser.Type("#volunteer-form [name='skills.tutoring.gradeMax']", "9");
        _browser.Choose("skills.tutoring.modes", "online");
        _browser.Choose("availability", "weekend-morning");
        _browser.Click("#volunteer-form button[type='submit']");

        var card = _browser.WaitForText("#volunteers .volunteer-card", "周老师（妇联志愿者）");
        Assert.Contains("待审查", card.Text);
        var id = card.GetDomAttribute("data-volunteer-id")!;
        _browser.WaitFor($"#vetting-form-{id}");
        _browser.Choose("status", "passed");
        _browser.Type($"#vetting-form-{id} [name='reference']", "云公查2026-0101");
        _browser.Click($"#vetting-form-{id} button[type='submit']");
        _browser.WaitForText($"[data-volunteer-id='{id}']", "审查通过");
        _browser.WaitForText($"[data-volunteer-id='{id}']", "云公查2026-0101");
        _browser.Screenshots("programme-owner-volunteers");
    }
}
