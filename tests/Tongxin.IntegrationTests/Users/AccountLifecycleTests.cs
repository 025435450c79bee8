using System.Net;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Users;

public sealed class AccountLifecycleTestsOnSqlite(SqliteApp app) : AccountLifecycleTests(app), IClassFixture<SqliteApp>;

public sealed class AccountLifecycleTestsOnPostgres(PostgresApp app) : AccountLifecycleTests(app), IClassFixture<PostgresApp>;

/// <summary>
/// Accounts after they are made (issue 16, points 3 and 4): civil affairs lists its county's accounts, changes a role or
/// region, deactivates and reactivates, resets a password; a user changes their own. Every such change ends the user's
/// tokens at once (the next request answers 401), including a token the host remembers.
/// </summary>
public abstract class AccountLifecycleTests(TongxinApp app) : IAsyncLifetime
{
    /// <summary>A county of each test's own: deactivating and moving its accounts touches no other test.</summary>
    private TestCounty County { get; set; } = null!;

    public async Task InitializeAsync() => County = await TestCounty.CreateAsync(app);

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A fresh account of this test only (the county's own users are shared by the class).</summary>
    private async Task<(string Id, string Name)> NewUserAsync(string role, string region)
    {
        var name = "u" + Guid.NewGuid().ToString("N")[..10];
        var civil = await County.As("civil");
        var id = (await civil.PostAsync("/api/users", new { userName = name, password = TestCounty.Password, role, regionCode = region }))
            .AssertStatus(HttpStatusCode.Created).Id;
        return (id, name);
    }

    [Fact]
    public async Task CivilAffairsListsAndSearchesTheAccountsOfItsCountyOnly()
    {
        var (_, name) = await NewUserAsync("child-director", County.VillageB1);
        var civil = await County.As("civil");

        var all = (await civil.GetAsync("/api/users")).AssertStatus(HttpStatusCode.OK).Json!["items"]!.AsArray();
        var names = all.Select(u => u!["userName"]!.GetValue<string>()).ToList();
        Assert.Contains(name, names);
        Assert.Contains(County.User("director-a1"), names);
        Assert.DoesNotContain(TongxinApp.AdminUserName, names);
        Assert.All(all, u => Assert.StartsWith(County.Code, u!["regionCode"]!.GetValue<string>()));
        Assert.All(all, u => Assert.Null(u!["passwordHash"]));

        var found = (await civil.GetAsync($"/api/users?q={name}")).AssertStatus(HttpStatusCode.OK).Json!["items"]!.AsArray();
        Assert.Equal(name, Assert.Single(found)!["userName"]!.GetValue<string>());
        var directors = (await civil.GetAsync("/api/users?role=child-director")).AssertStatus(HttpStatusCode.OK).Json!["items"]!.AsArray();
        Assert.All(directors, u => Assert.Equal("child-director", u!["role"]!.GetValue<string>()));

        var first = (await civil.GetAsync("/api/users?pageSize=1")).AssertStatus(HttpStatusCode.OK);
        Assert.Single(first.Json!["items"]!.AsArray());
        Assert.Equal(all.Count, first.Get<int>("total"));
        (await civil.GetAsync("/api/users?pageSize=0")).AssertFieldErrors("pageSize");

        (await (await County.As("director-a1")).GetAsync("/api/users")).AssertProblem(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task ADeactivatedDirectorLosesAccessOnTheNextRequestAndTheOrphanedVillageIsNamed()
    {
        var (id, name) = await NewUserAsync("child-director", County.VillageA2);
        var director = await app.LoginAsync(name, TestCounty.Password);
        (await director.GetAsync("/api/children")).AssertStatus(HttpStatusCode.OK); // the host now remembers the token
        var civil = await County.As("civil");

        var deactivated = (await civil.PostAsync($"/api/users/{id}/deactivate", new { })).AssertStatus(HttpStatusCode.OK);
        Assert.False(deactivated.Json!["user"]!["active"]!.GetValue<bool>());
        // Village A2 still has the county's own director: no warning.
        Assert.Empty(deactivated.Json["villagesWithoutDirector"]!.AsArray());

        var refused = (await director.GetAsync("/api/children")).AssertProblem(HttpStatusCode.Unauthorized);
        Assert.Contains("重新登录", refused.Body);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous().PostAsync("/api/auth/login", new { userName = name, password = TestCounty.Password })).Status);

        (await civil.PostAsync($"/api/users/{id}/reactivate", new { })).AssertStatus(HttpStatusCode.OK);
        (await (await app.LoginAsync(name, TestCounty.Password)).GetAsync("/api/children")).AssertStatus(HttpStatusCode.OK);
    }

    [Fact]
    public async Task DeactivatingAVillagesLastDirectorWarnsAndNamesTheVillage()
    {
        var civil = await County.As("civil");
        var village = County.Code + "09" + Random.Shared.Next(100, 999);
        var admin = await app.AdminAsync();
        (await admin.PostAsync("/api/regions", new { code = village, name = "新村", kind = "village", parentCode = County.TownB })).AssertStatus(HttpStatusCode.Created);
        var (id, _) = await NewUserAsync("child-director", village);

        var deactivated = (await civil.PostAsync($"/api/users/{id}/deactivate", new { })).AssertStatus(HttpStatusCode.OK);
        var orphaned = Assert.Single(deactivated.Json!["villagesWithoutDirector"]!.AsArray())!;
        Assert.Equal(village, orphaned["code"]!.GetValue<string>());
        Assert.Contains("新村", deactivated.Json["warning"]!.GetValue<string>());
    }

    [Fact]
    public async Task AResetEndsEveryTokenAndTheOneTimePasswordMustBeChangedFirst()
    {
        var (id, name) = await NewUserAsync("supervisor", County.TownB);
        var before = await app.LoginAsync(name, TestCounty.Password);
        var civil = await County.As("civil");

        var reset = (await civil.PostAsync($"/api/users/{id}/password-reset", new { })).AssertStatus(HttpStatusCode.OK);
        var temporary = reset.Get<string>("temporaryPassword");
        Assert.Equal(12, temporary.Length);
        (await before.GetAsync("/api/children")).AssertProblem(HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous().PostAsync("/api/auth/login", new { userName = name, password = TestCounty.Password })).Status);

        // Signed in with the one-time password, the user may only change it.
        var once = await app.LoginAsync(name, temporary);
        (await once.GetAsync("/api/me")).AssertStatus(HttpStatusCode.OK);
        (await once.GetAsync("/api/children")).AssertProblem(HttpStatusCode.Forbidden);
        (await once.PutAsync("/api/me/password", new { currentPassword = temporary, newPassword = "New#Password-2026" })).AssertStatus(HttpStatusCode.NoContent);
        (await once.GetAsync("/api/me")).AssertProblem(HttpStatusCode.Unauthorized);

        (await (await app.LoginAsync(name, "New#Password-2026")).GetAsync("/api/children")).AssertStatus(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AUserChangesTheirOwnPasswordOnlyWithTheCurrentOne()
    {
        var (_, name) = await NewUserAsync("child-director", County.VillageA1);
        var user = await app.LoginAsync(name, TestCounty.Password);

        (await user.PutAsync("/api/me/password", new { })).AssertFieldErrors("currentPassword", "newPassword");
        (await user.PutAsync("/api/me/password", new { currentPassword = "wrong-password", newPassword = "New#Password-2026" })).AssertFieldErrors("currentPassword");
        (await user.PutAsync("/api/me/password", new { currentPassword = TestCounty.Password, newPassword = "short" })).AssertFieldErrors("newPassword");
        // Nothing changed so far: the token still stands and the old password still works.
        (await user.GetAsync("/api/me")).AssertStatus(HttpStatusCode.OK);

        (await user.PutAsync("/api/me/password", new { currentPassword = TestCounty.Password, newPassword = "New#Password-2026" })).AssertStatus(HttpStatusCode.NoContent);
        (await user.GetAsync("/api/me")).AssertProblem(HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous().PostAsync("/api/auth/login", new { userName = name, password = TestCounty.Password })).Status);
        await app.LoginAsync(name, "New#Password-2026");
    }

    [Fact]
    public async Task ANewRoleOrRegionEndsTheTokensThatCarriedTheOldOne()
    {
        var (id, name) = await NewUserAsync("child-director", County.VillageA1);
        var user = await app.LoginAsync(name, TestCounty.Password);
        var civil = await County.As("civil");

        (await civil.PatchAsync($"/api/users/{id}", new { })).AssertFieldErrors("role");
        (await civil.PatchAsync($"/api/users/{id}", new { regionCode = County.TownA })).AssertFieldErrors("regionCode"); // a director sits in a village
        (await user.GetAsync("/api/me")).AssertStatus(HttpStatusCode.OK);

        var moved = (await civil.PatchAsync($"/api/users/{id}", new { regionCode = County.VillageB1 })).AssertStatus(HttpStatusCode.OK);
        Assert.Equal(County.VillageB1, moved.Get<string>("regionCode"));
        (await user.GetAsync("/api/me")).AssertProblem(HttpStatusCode.Unauthorized);
        var again = await app.LoginAsync(name, TestCounty.Password);
        Assert.Equal(County.VillageB1, (await again.GetAsync("/api/me")).AssertStatus(HttpStatusCode.OK).Get<string>("regionCode"));
    }

    [Fact]
    public async Task CivilAffairsManagesNeitherAdministratorsNorItselfNorAnotherCounty()
    {
        var civil = await County.As("civil");
        var me = (await civil.GetAsync("/api/me")).AssertStatus(HttpStatusCode.OK).Get<string>("userId");
        (await civil.PostAsync($"/api/users/{me}/deactivate", new { })).AssertProblem(HttpStatusCode.Conflict);
        (await civil.PostAsync("/api/users/0123456789abcdef0123456789abcdef/deactivate", new { })).AssertProblem(HttpStatusCode.NotFound);

        var other = await TestCounty.CreateAsync(app);
        var outsider = (await (await other.As("civil")).GetAsync("/api/users")).AssertStatus(HttpStatusCode.OK).Json!["items"]!.AsArray()
            .First(u => u!["role"]!.GetValue<string>() == "child-director")!["id"]!.GetValue<string>();
        (await civil.PostAsync($"/api/users/{outsider}/password-reset", new { })).AssertProblem(HttpStatusCode.Forbidden);
        (await civil.PatchAsync($"/api/users/{me}", new { role = "admin" })).AssertProblem(HttpStatusCode.Conflict);
    }
}
