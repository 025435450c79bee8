using Tongxin.BrowserTests.Infrastructure;
using Xunit;

namespace Tongxin.BrowserTests;

/// <summary>Who looks after the child (issue 19): a director records the carer, checks her at a home visit, and acts.</summary>
[Collection(BrowserCollection.Name)]
public sealed class CareArrangementTests(BrowserFixture fixture)
{
    private readonly Browser _browser = new(fixture);

    [Fact]
    public async Task ADirectorRecordsTheCarerAsUnableAndTheChildMovesUpTheList()
    {
        // A child of 平安村 at low risk, looked after by her grandmother while both parents work away.
        var created = await fixture.Api.PostAsync("director", "/api/children", new
        {
            familyName = "孙", givenName = "照护", gender = "female", birthDate = "2016-09-12", villageCode = "500235102201",
            category = "left-behind", riskLevel = "low", guardianSituation = "父母均在福建务工，由外婆照料",
            guardianConsent = new { by = "外婆", relation = "grandmother", recordedAt = DateTime.UtcNow.AddDays(-3) },
        });
        var child = created.GetProperty("id").GetString()!;
        _browser.Reset();
        _browser.Phone();
        _browser.Login("director");
        var cards = _browser.All("#children-list [data-child-id]").Select(c => c.GetDomAttribute("data-child-id")).ToList();
        var before = cards.IndexOf(child);
        Assert.True(before > 0, "a low-risk child is not at the top of the list");

        _browser.Go($"/children/{child}");
        _browser.WaitFor("#care-form");
        _browser.Choose("father.presence", "away");
        _browser.Choose("mother.presence", "away");
        _browser.Type("#care-form [name='father.workPlace']", "福建晋江");
        _browser.Type("#care-form [name='carer.familyName']", "李");
        _browser.Type("#care-form [name='carer.givenName']", "桂兰");
        _browser.Select("#care-form [name='carer.relation']", "grandmother");
        _browser.Type("#care-form [name='carer.age']", "15");
        _browser.SetValue("#care-form [name='agreement.signedOn']", DateTime.UtcNow.AddHours(8).AddDays(-100).ToString("yyyy-MM-dd"));
        _browser.SetValue("#care-form [name='agreement.until']", DateTime.UtcNow.AddHours(8).AddDays(265).ToString("yyyy-MM-dd"));
        _browser.Type("#care-form [name='agreement.signedBy']", "孙建国（父亲）");
        _browser.Click("#care-form button[type='submit']");
        // A carer of 15 is refused next to the age, and nothing is saved.
        Assert.Contains("18", _browser.FieldError("carer.age"));
        _browser.SetValue("#care-form [name='carer.age']", "66");
        _browser.Click("#care-form button[type='submit']");
        _browser.WaitForText("#care-card", "李桂兰");
        Assert.Empty(_browser.All("#care-failing"));

        // At the home visit: the grandmother is in hospital. The check records it and raises the concern in one step.
        _browser.Click("#care-check summary");
        _browser.Choose("carerAbility", "cannot");
        _browser.Type("#care-check-form [name='notes']", "外婆住院，孩子晚上独自在家");
        _browser.Click("#care-check-form [name='raiseConcern']");
        _browser.Click("#care-check-form button[type='submit']");
        _browser.WaitForText("#care-failing", "无力照护");
        _browser.WaitForText("main .file-head", "高风险");
        _browser.Screenshots("care-carer-unable");

        // Back on the list: the child is now at the top, with the reason; the concern reached the concerns list.
        _browser.Go("/children");
        _browser.WaitForText("#failing-care-card", "孙照护");
        var after = _browser.All("#children-list [data-child-id]").Select(c => c.GetDomAttribute("data-child-id")).ToList().IndexOf(child);
        Assert.Equal(0, after);
        Assert.Contains("无力照护", _browser.WaitFor($"#children-list [data-child-id='{child}']").Text);
        var concerns = await fixture.Api.GetAsync("supervisor", "/api/concerns?status=open");
        Assert.Contains(concerns.EnumerateArray(), c => c.GetProperty("childId").GetString() == child && c.GetProperty("kind").GetString() == "guardian-unable");
        _browser.AssertNoScriptErrors();
    }
}
