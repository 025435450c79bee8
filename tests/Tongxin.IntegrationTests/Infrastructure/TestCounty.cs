using System.Net;

namespace Tongxin.IntegrationTests.Infrastructure;

/// <summary>
/// A county of its own for one test (fresh codes, users named after it), set up through the API, so
/// matching in one test never sees the needs and providers of another.
/// </summary>
public sealed class TestCounty
{
    public const string Password = SampleCounty.Password;

    private readonly IApiHost _app;
    private readonly Api _admin;

    private TestCounty(IApiHost app, Api admin, string code)
    {
        _app = app;
        _admin = admin;
        Code = code;
    }

    public string Code { get; }
    public string TownA => Code + "01";
    public string TownB => Code + "02";
    public string VillageA1 => TownA + "001";
    public string VillageA2 => TownA + "002";
    public string VillageB1 => TownB + "001";
    public string FederationId { get; private set; } = "";
    public string SocialWorkOrgId { get; private set; } = "";
    public string SupervisorA => "supervisor-a";

    public string User(string name) => $"{name}-{Code}";

    public static async Task<TestCounty> CreateAsync(IApiHost app)
    {
        var admin = await app.AdminAsync();
        // A random code of its own; drawn again if an earlier test (or run, on a kept database) already has it.
        string code;
        for (var attempt = 1; ; attempt++)
        {
            code = "9" + Random.Shared.Next(10000, 99999);
            var created = await admin.PostAsync("/api/regions", new { code, name = "测试县", kind = "county", parentCode = (string?)null });
            if (created.Status == HttpStatusCode.Conflict && attempt < 10)
            {
                continue;
            }
            created.AssertStatus(HttpStatusCode.Created);
            break;
        }
        var county = new TestCounty(app, admin, code);
        await county.RegionAsync(county.TownA, "甲镇", "town", code);
        await county.RegionAsync(county.TownB, "乙镇", "town", code);
        await county.RegionAsync(county.VillageA1, "甲一村", "village", county.TownA);
        await county.RegionAsync(county.VillageA2, "甲二村", "village", county.TownA);
        await county.RegionAsync(county.VillageB1, "乙一村", "village", county.TownB);
        county.FederationId = (await admin.PostAsync("/api/organisations", new { name = "妇联", kind = "womens-federation", regionCode = code }))
            .AssertStatus(HttpStatusCode.Created).Id;
        var civil = (await admin.PostAsync("/api/organisations", new { name = "民政局", kind = "civil-affairs", regionCode = code })).AssertStatus(HttpStatusCode.Created).Id;
        await county.UserAsync("civil", "civil-affairs", code, civil);
        await county.UserAsync("fulian", "programme-owner", code, county.FederationId);
        county.SocialWorkOrgId = (await admin.PostAsync("/api/organisations", new { name = "阳光社工", kind = "social-work-org", regionCode = code }))
            .AssertStatus(HttpStatusCode.Created).Id;
        await county.UserAsync("shegong", "social-work-org", code, county.SocialWorkOrgId);
        await county.UserAsync("supervisor-a", "supervisor", county.TownA);
        await county.UserAsync("director-a1", "child-director", county.VillageA1);
        await county.UserAsync("director-a2", "child-director", county.VillageA2);
        await county.UserAsync("director-b1", "child-director", county.VillageB1);
        return county;
    }

    public Task<Api> As(string name) => _app.LoginAsync(User(name), Password);

    public async Task UserAsync(string name, string role, string regionCode, string? organisationId = null) =>
        (await _admin.PostAsync("/api/users", new { userName = User(name), password = Password, role, regionCode, organisationId }))
            .AssertStatus(HttpStatusCode.Created);

    private async Task RegionAsync(string code, string name, string kind, string? parentCode) =>
        (await _admin.PostAsync("/api/regions", new { code, name, kind, parentCode })).AssertStatus(HttpStatusCode.Created);

    /// <summary>A child with guardian consent in a village, by that village's director; returns its id.</summary>
    public async Task<string> ChildAsync(string director, string village, string gender = "female", int age = 10, string risk = "medium", bool consent = true)
    {
        var body = SampleCounty.ChildBody(village, age, consent: consent);
        body["gender"] = gender;
        body["riskLevel"] = risk;
        return (await (await As(director)).PostAsync("/api/children", body)).AssertStatus(HttpStatusCode.Created).Id;
    }

    public async Task<string> NeedAsync(string director, string childId, string line, object details, string urgency = "normal") =>
        (await (await As(director)).PostAsync($"/api/children/{childId}/needs", new { line, details, urgency })).AssertStatus(HttpStatusCode.Created).Id;

    /// <summary>A volunteer with an account of their own, registered by themself and vetted by the federation.</summary>
    public async Task<(string Id, Api Api)> VolunteerAsync(string name, string gender, string regionCode, string[] lines, object skills,
        int capacity = 2, string[]? availability = null, bool vetted = true, DateTime? vettingExpires = null)
    {
        await UserAsync(name, "volunteer", regionCode);
        var api = await As(name);
        var id = (await api.PostAsync("/api/volunteers", new
        {
            displayName = name,
            gender,
            regionCode,
            lines,
            skills,
            capacity,
            availability = availability ?? ["weekday-afternoon", "weekend-morning"],
        })).AssertStatus(HttpStatusCode.Created).Id;
        if (vetted)
        {
            // Self-registered volunteers are vetted by civil affairs (they have no organisation).
            var expires = vettingExpires ?? DateTime.UtcNow.AddYears(1);
            (await (await As("civil")).PutAsync($"/api/volunteers/{id}/vetting", new
            {
                status = "passed",
                checkedAt = expires < DateTime.UtcNow ? expires.AddDays(-30) : DateTime.UtcNow.AddDays(-1),
                expiresAt = expires,
                reference = "PSB-2026-" + name,
            })).AssertStatus(HttpStatusCode.OK);
        }
        return (id, api);
    }

    public async Task<ApiResponse> RunMatchingAsync(string? line = null) =>
        (await (await As("civil")).PostAsync("/api/matching/run", new { line, regionCode = Code })).AssertStatus(HttpStatusCode.OK);

    public async Task<ApiResponse> NeedStatusAsync(string director, string needId) =>
        (await (await As(director)).GetAsync($"/api/needs/{needId}")).AssertStatus(HttpStatusCode.OK);
}
