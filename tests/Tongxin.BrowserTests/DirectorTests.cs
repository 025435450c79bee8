using Tongxin.BrowserTests.Infrastructure;
using Xunit;

namespace Tongxin.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed class DirectorTests(BrowserFixture fixture)
{
    private readonly Browser _browser = new(fixture);

    [Fact]
    public void AChildBornInTheFutureIsRefusedWithTheErrorNextToTheBirthDateThenSavedOnceCorrected()
    {
        _browser.Reset();
        _browser.Login("director");
        _browser.Click("#new-child");
        _browser.WaitFor("#child-form");
        _browser.Type("#child-form [name='familyName']", "张");
        _browser.Type("#child-form [name='givenName']", "小军");
        _browser.Choose("gender", "male");
        _browser.SetValue("#child-form [name='birthDate']", DateTime.UtcNow.AddYears(1).ToString("yyyy-MM-dd"));
        _browser.Select("#child-form [name='category']", "left-behind");
        _browser.Select("#child-form [name='riskLevel']", "medium");
        _browser.Type("#child-form [name='guardianSituation']", "父亲在浙江务工，母亲离家，由祖父照料。");
        _browser.Type("#child-form [name='guardianConsent.by']", "张大山");
        _browser.Select("#child-form [name='guardianConsent.relation']", "grandfather");
        _browser.Click("#child-form button[type='submit']");

        Assert.Equal("出生日期必须早于今天。", _browser.FieldError("birthDate"));
        Assert.Equal("true", _browser.WaitFor("#child-form [name='birthDate']").GetDomAttribute("aria-invalid"));
        Assert.Equal("", _browser.WaitForPresent("[data-field='givenName'] .field-error").GetDomProperty("textContent"));
        _browser.Screenshots("director-new-child-error");

        _browser.SetValue("#child-form [name='birthDate']", "2016-05-01");
        _browser.Click("#child-form button[type='submit']");
        _browser.WaitForText("main .child-name", "张小军");
        _browser.WaitForText("main .facts", "祖父");
        Assert.StartsWith("#/children/", _browser.Hash);
    }

    [Fact]
    public void OverdueContactsAreHighlightedAndAConcernReachesTheConcernsList()
    {
        _browser.Reset();
        _browser.Login("director");
        var card = _browser.WaitForText("#children-list [data-child-id]", "陈小雨");
        Assert.Contains("高风险", card.Text);
        var childId = card.GetDomAttribute("data-child-id")!;

        _browser.Go($"/children/{childId}");
        _browser.Click("#raise-concern");
        _browser.WaitFor("#concern-form");
        Assert.Equal(childId, _browser.WaitFor("#concern-form [name='childId']").GetDomProperty("value"));
        _browser.Click("#concern-form button[type='submit']");
        Assert.Contains("必须", _browser.FieldError("kind"));
        _browser.Choose("kind", "alone-without-guardian");
        _browser.Type("#concern-form [name='details']", "周末走访发现孩子独自在家两天，祖父住院。");
        _browser.Click("#concern-form button[type='submit']");

        _browser.WaitForText("#concerns", "周末走访发现孩子独自在家两天");
        _browser.WaitForText("#concerns", "无人监护独居");
        _browser.Screenshots("director-concerns");
    }

    [Fact]
    public void AnUnknownNeedShowsTheProblemNotAStackTrace()
    {
        _browser.Reset();
        _browser.Login("director");
        _browser.Go("/needs/0000000000000000000000000000dead");
        var problem = _browser.WaitFor("main .problem");
        Assert.False(string.IsNullOrWhiteSpace(problem.Text));
        _browser.AssertNoStackTrace();

        _browser.Go("/contracts");
        _browser.WaitForText("main", "没有权限");
    }
}
