using System.Net;
using System.Net.Http.Json;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Safeguarding;

public sealed class ConsentPurposeTestsOnSqlite(SqliteSafeguardingApp app) : ConsentPurposeTests(app), IClassFixture<SqliteSafeguardingApp>;

public sealed class ConsentPurposeTestsOnPostgres(PostgresSafeguardingApp app) : ConsentPurposeTests(app), IClassFixture<PostgresSafeguardingApp>;

/// <summary>
/// What the guardian consented to holds everywhere: matching (requesting help, being matched, pairings), purchased
/// services (deliveries), sharing data with other organisations (a programme owner's list of needs). One rule
/// (<c>GuardianConsent</c>); withdrawing one purpose acts like withdrawing consent for what it covered.
/// </summary>
public abstract class ConsentPurposeTests(SafeguardingApp app)
{
    private static readonly Dictionary<string, object> CaringMother = new() { ["caring-mother"] = new { supportKinds = new[] { "daily-life" } } };
    private static readonly object CaringMotherNeed = new { supportKinds = new[] { "daily-life" } };

    [Fact]
    public async Task WithoutMatchingAskingForHelpIsRefusedNamingThePurposeAndNoNeedIsMatched()
    {
        var county = await TestCounty.CreateAsync(app);
        var (_, volunteer) = await county.VolunteerAsync("mama", "female", county.VillageA1, ["caring-mother"], CaringMother);
        var child = await county.ChildAsync("director-a1", county.VillageA1);
        var director = await county.As("director-a1");
        // An open need from before the guardian narrowed the consent to services.
        var need = await county.NeedAsync("director-a1", child, "caring-mother", CaringMotherNeed);
        await ConsentAsync(director, child, "services");

        var refused = (await director.PostAsync($"/api/children/{child}/needs", new { line = "caring-mother", details = CaringMotherNeed, urgency = "normal" }))
            .AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("匹配帮扶", refused.Json!["errors"]!["guardianConsent.purposes"]![0]!.GetValue<string>());
        director.Http.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");
        var english = (await director.PostAsync($"/api/children/{child}/needs", new { line = "caring-mother", details = CaringMotherNeed, urgency = "normal" }))
            .AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("matching", english.Json!["errors"]!["guardianConsent.purposes"]![0]!.GetValue<string>());

        // The vetted, free, eligible volunteer is not offered the need already open.
        await county.RunMatchingAsync("caring-mother");
        Assert.Empty((await volunteer.GetAsync("/api/offers?mine=true")).Array);
        Assert.Equal("open", (await county.NeedStatusAsync("director-a1", need)).Get<string>("status"));

        // With matching consented again, the same batch offers it.
        await ConsentAsync(director, child, "matching", "services");
        await county.RunMatchingAsync("caring-mother");
        Assert.Equal(need, Assert.Single((await volunteer.GetAsync("/api/offers?mine=true")).Array)!["needId"]!.GetValue<string>());
    }

    [Fact]
    public async Task ANeedLeftUnmatchedForWantOfConsentIsSaidSoWhenItClimbs()
    {
        var county = await TestCounty.CreateAsync(app);
        await county.VolunteerAsync("mama", "female", county.VillageA1, ["caring-mother"], CaringMother);
        var child = await county.ChildAsync("director-a1", county.VillageA1);
        var need = await county.NeedAsync("director-a1", child, "caring-mother", CaringMotherNeed);
        await ConsentAsync(await county.As("director-a1"), child, "services", "data-sharing");
        await county.RunMatchingAsync("caring-mother");
        try
        {
            // Past the line's wait: the need climbs, and the reason is the rule matching applied, not "no volunteer".
            app.Clock.Advance(TimeSpan.FromDays(31));
            (await (await county.As("civil")).PostAsync("/api/escalations/run", new { })).AssertStatus(HttpStatusCode.OK);
            var escalated = (await (await county.As("supervisor-a")).GetAsync("/api/escalations")).AssertStatus(HttpStatusCode.OK).Array
                .Single(e => e!["needId"]!.GetValue<string>() == need)!;
            Assert.Equal("no-consent", escalated["steps"]![0]!["reasonCode"]!.GetValue<string>());
        }
        finally
        {
            app.Clock.Reset();
        }
    }

    [Fact]
    public async Task WithdrawingMatchingAloneSuspendsThePairingWithdrawsOffersAndKeepsTheRest()
    {
        var county = await TestCounty.CreateAsync(app);
        var (_, volunteer) = await county.VolunteerAsync("mama", "female", county.VillageA1, ["caring-mother"], CaringMother, capacity: 2);
        var child = await county.ChildAsync("director-a1", county.VillageA1);
        var paired = await county.NeedAsync("director-a1", child, "caring-mother", CaringMotherNeed);
        await county.RunMatchingAsync("caring-mother");
        var offer = Assert.Single((await volunteer.GetAsync("/api/offers?mine=true")).Array)!["id"]!.GetValue<string>();
        var pairing = (await volunteer.PostAsync($"/api/offers/{offer}/accept", new { })).AssertStatus(HttpStatusCode.OK).Get<string>("pairingId");
        var waiting = await county.NeedAsync("director-a1", child, "caring-mother", CaringMotherNeed);
        await county.RunMatchingAsync("caring-mother");
        var pending = Assert.Single((await volunteer.GetAsync("/api/offers?mine=true")).Array, o => o!["needId"]!.GetValue<string>() == waiting)!["id"]!.GetValue<string>();

        var director = await county.As("director-a1");
        var withdrawn = (await director.PostAsync($"/api/children/{child}/consent/withdraw", new { reason = "监护人只同意接受购买服务", purposes = new[] { "matching" } }))
            .AssertStatus(HttpStatusCode.OK);
        Assert.Equal(1, withdrawn.Get<int>("pairingsSuspended"));

        // The volunteer loses the pairing at once, and the offer waiting for an answer is gone.
        (await volunteer.GetAsync($"/api/pairings/{pairing}")).AssertProblem(HttpStatusCode.NotFound);
        (await volunteer.PostAsync($"/api/offers/{pending}/accept", new { })).AssertProblem(HttpStatusCode.Conflict);
        Assert.Equal("open", (await county.NeedStatusAsync("director-a1", waiting)).Get<string>("status"));
        Assert.Equal("matched", (await county.NeedStatusAsync("director-a1", paired)).Get<string>("status"));
        // What is left of the consent is still on the file.
        var consent = (await director.GetAsync($"/api/children/{child}")).AssertStatus(HttpStatusCode.OK).Json!["guardianConsent"]!;
        Assert.Equal(["data-sharing", "services"], consent["purposes"]!.AsArray().Select(p => p!.GetValue<string>()).Order());

        // Consenting to matching again: the pairing goes on.
        await ConsentAsync(director, child, "matching", "services", "data-sharing");
        Assert.Equal("active", (await volunteer.GetAsync($"/api/pairings/{pairing}")).AssertStatus(HttpStatusCode.OK).Get<string>("status"));
    }

    [Fact]
    public async Task WithoutServicesNoDeliveryIsAcceptedForTheChild()
    {
        var county = await TestCounty.CreateAsync(app);
        var matchingOnly = await county.ChildAsync("director-a1", county.VillageA1);
        var withServices = await county.ChildAsync("director-a1", county.VillageA1);
        var director = await county.As("director-a1");
        await ConsentAsync(director, matchingOnly, "matching");
        await ConsentAsync(director, withServices, "matching", "services");
        var contract = (await (await county.As("civil")).PostAsync("/api/contracts", new
        {
            organisationId = county.SocialWorkOrgId, line = "counselling", regionCodes = new[] { county.TownA }, units = 10, unitKind = "session", unitPrice = 150m,
            startsOn = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(-10)).ToString("yyyy-MM-dd"),
            endsOn = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(10)).ToString("yyyy-MM-dd"), fundingSource = "budget",
        })).AssertStatus(HttpStatusCode.Created).Id;
        var shegong = await county.As("shegong");

        var refused = await shegong.SendAsync(Delivery(contract, matchingOnly, "consent-matching-only"));
        refused.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("接受购买服务", refused.Json!["errors"]!["guardianConsent"]![0]!.GetValue<string>());
        (await shegong.SendAsync(Delivery(contract, withServices, "consent-services"))).AssertStatus(HttpStatusCode.Created);
        var reconciliation = (await shegong.GetAsync($"/api/contracts/{contract}/reconciliation")).AssertStatus(HttpStatusCode.OK);
        Assert.Equal(1, reconciliation.Get<int>("delivered"));
    }

    [Fact]
    public async Task WithoutDataSharingAProgrammeOwnersListOfNeedsLeavesTheChildOut()
    {
        var county = await TestCounty.CreateAsync(app);
        var sharing = await county.ChildAsync("director-a1", county.VillageA1);
        var notSharing = await county.ChildAsync("director-a1", county.VillageA1);
        var director = await county.As("director-a1");
        await ConsentAsync(director, notSharing, "matching", "services");
        var shared = await county.NeedAsync("director-a1", sharing, "caring-mother", CaringMotherNeed);
        var kept = await county.NeedAsync("director-a1", notSharing, "caring-mother", CaringMotherNeed);

        // The women's federation plans from what it may see; the child's own staff see both.
        var federation = (await (await county.As("fulian")).GetAsync("/api/needs")).AssertStatus(HttpStatusCode.OK).Array.Select(n => n!["id"]!.GetValue<string>()).ToList();
        Assert.Contains(shared, federation);
        Assert.DoesNotContain(kept, federation);
        var civil = (await (await county.As("civil")).GetAsync("/api/needs")).AssertStatus(HttpStatusCode.OK).Array.Select(n => n!["id"]!.GetValue<string>()).ToList();
        Assert.Contains(shared, civil);
        Assert.Contains(kept, civil);
    }

    private static async Task ConsentAsync(Api director, string child, params string[] purposes) =>
        (await director.PutAsync($"/api/children/{child}/consent", new { by = "张奶奶", relation = "grandmother", recordedAt = DateTime.UtcNow.AddMinutes(-1), purposes }))
            .AssertStatus(HttpStatusCode.NoContent);

    private static HttpRequestMessage Delivery(string contract, string child, string key)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, $"/api/contracts/{contract}/deliveries")
        {
            Content = JsonContent.Create(new { childId = child, at = DateTime.UtcNow.AddHours(-1), units = 1, kind = "session", notes = "心理疏导" }),
        };
        message.Headers.Add("Idempotency-Key", key);
        return message;
    }
}
