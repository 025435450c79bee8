using System.Net;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Setup;

public sealed class SetupTestsOnSqlite(SqliteCounty app) : SetupTests(app), IClassFixture<SqliteCounty>;

public sealed class SetupTestsOnPostgres(PostgresCounty app) : SetupTests(app), IClassFixture<PostgresCounty>;

/// <summary>Set-up as API.md describes it: log in, regions, organisations, users, roles at their levels.</summary>
public abstract class SetupTests(CountyApp app)
{
    [Fact]
    public async Task TheBootstrapAdministratorLogsInAndAWrongPasswordDoesNot()
    {
        await app.AdminAsync();
        var response = await app.Anonymous().PostAsync("/api/auth/login", new { userName = TongxinApp.AdminUserName, password = "wrong-password" });
        response.AssertProblem(HttpStatusCode.Unauthorized);
        // The same answer for a user that does not exist: names cannot be probed.
        var unknown = await app.Anonymous().PostAsync("/api/auth/login", new { userName = "nobody", password = "wrong-password" });
        Assert.Equal(response.Json!["detail"]!.GetValue<string>(), unknown.AssertProblem(HttpStatusCode.Unauthorized).Json!["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task ALoginWithoutFieldsNamesThem()
    {
        (await app.Anonymous().PostAsync("/api/auth/login", new { })).AssertFieldErrors("userName", "password");
    }

    [Fact]
    public async Task RegionsFormATreeAndAreCheckedOnTheWayIn()
    {
        var admin = await app.AdminAsync();
        (await admin.PostAsync("/api/regions", new { code = "X1", name = "村", kind = "village", parentCode = SampleCounty.County }))
            .AssertFieldErrors("parentCode");
        (await admin.PostAsync("/api/regions", new { code = "X2", name = "镇", kind = "town" }))
            .AssertFieldErrors("parentCode");
        (await admin.PostAsync("/api/regions", new { code = "X3", name = "村", kind = "village", parentCode = "nope" }))
            .AssertFieldErrors("parentCode");
        // An unknown kind does not hide the other fields' errors (ADR 0018).
        (await admin.PostAsync("/api/regions", new { code = "bad code!", name = "", kind = "hamlet" }))
            .AssertFieldErrors("code", "name", "kind");
        (await admin.PostAsync("/api/regions", new { code = "bad code!", name = "", kind = "town", parentCode = SampleCounty.County }))
            .AssertFieldErrors("code", "name");
        (await admin.PostAsync("/api/regions", new { code = SampleCounty.TownA, name = "重复", kind = "town", parentCode = SampleCounty.County }))
            .AssertProblem(HttpStatusCode.Conflict);

        var villages = (await admin.GetAsync($"/api/regions?parentCode={SampleCounty.TownA}")).AssertStatus(HttpStatusCode.OK).Array;
        var codes = villages.Select(v => v!["code"]!.GetValue<string>()).ToList();
        Assert.Contains(SampleCounty.VillageA1, codes);
        Assert.Contains(SampleCounty.VillageA2, codes);
        Assert.DoesNotContain(SampleCounty.VillageB1, codes);
        Assert.All(villages, v => Assert.Equal(SampleCounty.TownA, v!["parentCode"]!.GetValue<string>()));
    }

    [Fact]
    public async Task CivilAffairsSetsUpInsideItsCountyOnly()
    {
        var civil = await app.As("civil");
        (await civil.PostAsync("/api/regions", new { code = "500235102299", name = "新村", kind = "village", parentCode = SampleCounty.TownA }))
            .AssertStatus(HttpStatusCode.Created);
        (await civil.PostAsync("/api/regions", new { code = "500236", name = "邻县", kind = "county" }))
            .AssertProblem(HttpStatusCode.Forbidden);
        (await civil.PostAsync("/api/users", new { userName = "new-admin", password = SampleCounty.Password, role = "admin", regionCode = SampleCounty.County }))
            .AssertProblem(HttpStatusCode.Forbidden);
        (await civil.PostAsync("/api/users", new { userName = "director-new", password = SampleCounty.Password, role = "child-director", regionCode = "500235102299" }))
            .AssertStatus(HttpStatusCode.Created);
        await app.LoginAsync("director-new", SampleCounty.Password);
    }

    [Fact]
    public async Task OnlyAdministratorsAndCivilAffairsSetUp()
    {
        foreach (var user in new[] { "director-a1", "supervisor-a", "volunteer", "fulian", "shegong" })
        {
            var api = await app.As(user);
            (await api.PostAsync("/api/regions", new { code = "Y1", name = "村", kind = "village", parentCode = SampleCounty.TownA })).AssertProblem(HttpStatusCode.Forbidden);
            (await api.PostAsync("/api/users", new { userName = "y-user", password = SampleCounty.Password, role = "volunteer", regionCode = SampleCounty.TownA })).AssertProblem(HttpStatusCode.Forbidden);
        }
    }

    [Fact]
    public async Task EachRoleSitsAtItsLevelOfTheRegionTree()
    {
        var admin = await app.AdminAsync();
        (await admin.PostAsync("/api/users", new { userName = "d-in-town", password = SampleCounty.Password, role = "child-director", regionCode = SampleCounty.TownA }))
            .AssertFieldErrors("regionCode");
        (await admin.PostAsync("/api/users", new { userName = "s-in-village", password = SampleCounty.Password, role = "supervisor", regionCode = SampleCounty.VillageA1 }))
            .AssertFieldErrors("regionCode");
        (await admin.PostAsync("/api/users", new { userName = "sw-no-org", password = SampleCounty.Password, role = "social-work-org", regionCode = SampleCounty.County }))
            .AssertFieldErrors("organisationId");
        (await admin.PostAsync("/api/users", new { userName = "sw-wrong-org", password = SampleCounty.Password, role = "social-work-org", regionCode = SampleCounty.County, organisationId = app.County.WomensFederationId }))
            .AssertFieldErrors("organisationId");
        (await admin.PostAsync("/api/users", new { userName = "x", password = "short", role = "wizard", regionCode = SampleCounty.County }))
            .AssertFieldErrors("userName", "password", "role");
        (await admin.PostAsync("/api/users", new { userName = "x", password = "short", role = "volunteer", regionCode = SampleCounty.County }))
            .AssertFieldErrors("userName", "password");
        (await admin.PostAsync("/api/users", new { userName = "civil", password = SampleCounty.Password, role = "volunteer", regionCode = SampleCounty.County }))
            .AssertProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task OrganisationsNeedAKnownKindAndRegion()
    {
        var admin = await app.AdminAsync();
        (await admin.PostAsync("/api/organisations", new { name = "某机构", kind = "church", regionCode = SampleCounty.County })).AssertFieldErrors("kind");
        (await admin.PostAsync("/api/organisations", new { name = "某机构", kind = "school", regionCode = "nowhere" })).AssertFieldErrors("regionCode");
        var school = (await admin.PostAsync("/api/organisations", new { name = "南溪小学", kind = "school", regionCode = SampleCounty.TownA })).AssertStatus(HttpStatusCode.Created);
        var schools = (await (await app.As("supervisor-a")).GetAsync("/api/organisations?kind=school")).AssertStatus(HttpStatusCode.OK).Array;
        Assert.Contains(schools, s => s!["id"]!.GetValue<string>() == school.Id);
        Assert.Empty((await (await app.As("supervisor-b")).GetAsync("/api/organisations?kind=school")).Array);
    }

    [Fact]
    public async Task HealthAnswersWhenTheDatabaseDoes()
    {
        (await app.Anonymous().GetAsync("/health")).AssertStatus(HttpStatusCode.OK);
    }
}
