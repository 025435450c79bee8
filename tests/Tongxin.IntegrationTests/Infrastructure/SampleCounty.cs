using System.Net;

namespace Tongxin.IntegrationTests.Infrastructure;

/// <summary>
/// A county set up the way an administrator does it, through the API: one county, two towns,
/// three villages, the organisations, and a user for each role.
/// </summary>
public sealed class SampleCounty
{
    public const string Password = "Village#Pass1";
    public const string County = "500235";
    public const string TownA = "500235102";
    public const string TownB = "500235001";
    public const string VillageA1 = "500235102201";
    public const string VillageA2 = "500235102202";
    public const string VillageB1 = "500235001001";

    public required string CivilAffairsOrgId { get; init; }
    public required string WomensFederationId { get; init; }
    public required string SocialWorkOrgId { get; init; }

    public static async Task<SampleCounty> CreateAsync(TongxinApp app)
    {
        var admin = await app.AdminAsync();
        await Region(admin, County, "云阳县", "county", null);
        await Region(admin, TownA, "南溪镇", "town", County);
        await Region(admin, TownB, "双江街道", "town", County);
        await Region(admin, VillageA1, "平安村", "village", TownA);
        await Region(admin, VillageA2, "团结村", "village", TownA);
        await Region(admin, VillageB1, "青龙社区", "village", TownB);

        var civil = await Organisation(admin, "云阳县民政局", "civil-affairs");
        var federation = await Organisation(admin, "云阳县妇联", "womens-federation");
        var socialWork = await Organisation(admin, "阳光社工", "social-work-org");

        await User(admin, "civil", "civil-affairs", County, civil);
        await User(admin, "supervisor-a", "supervisor", TownA);
        await User(admin, "supervisor-b", "supervisor", TownB);
        await User(admin, "director-a1", "child-director", VillageA1);
        await User(admin, "director-a2", "child-director", VillageA2);
        await User(admin, "director-b1", "child-director", VillageB1);
        await User(admin, "fulian", "programme-owner", County, federation);
        await User(admin, "shegong", "social-work-org", County, socialWork);
        await User(admin, "volunteer", "volunteer", TownA);

        return new SampleCounty { CivilAffairsOrgId = civil, WomensFederationId = federation, SocialWorkOrgId = socialWork };
    }

    public static Task<Api> As(TongxinApp app, string userName) => app.LoginAsync(userName, Password);

    private static async Task Region(Api admin, string code, string name, string kind, string? parentCode) =>
        (await admin.PostAsync("/api/regions", new { code, name, kind, parentCode })).AssertStatus(HttpStatusCode.Created);

    private static async Task<string> Organisation(Api admin, string name, string kind) =>
        (await admin.PostAsync("/api/organisations", new { name, kind, regionCode = County })).AssertStatus(HttpStatusCode.Created).Id;

    private static async Task User(Api admin, string userName, string role, string regionCode, string? organisationId = null) =>
        (await admin.PostAsync("/api/users", new { userName, password = Password, role, regionCode, organisationId })).AssertStatus(HttpStatusCode.Created);

    /// <summary>A valid new child's file in the given village; override fields with a <c>with</c>-style dictionary.</summary>
    public static Dictionary<string, object?> ChildBody(string villageCode, int age = 10, string category = "left-behind", bool consent = true)
    {
        var body = new Dictionary<string, object?>
        {
            ["givenName"] = "小芳",
            ["familyName"] = "张",
            ["gender"] = "female",
            ["birthDate"] = DateOnly.FromDateTime(DateTime.UtcNow).AddYears(-age).AddDays(-10).ToString("yyyy-MM-dd"),
            ["villageCode"] = villageCode,
            ["category"] = category,
            ["guardianSituation"] = "父母均在外务工，由祖母照料",
            ["riskLevel"] = "medium",
        };
        if (consent)
        {
            body["guardianConsent"] = new { by = "张奶奶", relation = "grandmother", recordedAt = DateTime.UtcNow.AddDays(-1) };
        }
        return body;
    }
}
