using System.Diagnostics;
using System.Net;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Modules;

/// <summary>The four service lines are found and listed; each can be switched off by configuration.</summary>
public sealed class ModuleListTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task TheFourServiceLinesAreListedAnonymouslyWithTheirChineseNames()
    {
        var modules = (await app.Anonymous().GetAsync("/api/modules")).AssertStatus(HttpStatusCode.OK).Array;
        var byKey = modules.ToDictionary(m => m!["key"]!.GetValue<string>(), m => m!);
        Assert.Equal(["caring-mother", "counselling", "holiday-activities", "tutoring"], byKey.Keys.Order());
        Assert.Equal("爱心妈妈", byKey["caring-mother"]["nameZh"]!.GetValue<string>());
        Assert.Equal("学业辅导", byKey["tutoring"]["nameZh"]!.GetValue<string>());
        Assert.All(byKey.Values, m =>
        {
            Assert.False(string.IsNullOrWhiteSpace(m["name"]!.GetValue<string>()));
            Assert.False(string.IsNullOrWhiteSpace(m["version"]!.GetValue<string>()));
            Assert.NotEmpty(m["needDetails"]!.AsArray());
        });
        var grade = byKey["tutoring"]["needDetails"]!.AsArray().Single(f => f!["name"]!.GetValue<string>() == "grade")!;
        Assert.Equal(1, grade["min"]!.GetValue<int>());
        Assert.Equal(12, grade["max"]!.GetValue<int>());
    }

    [Fact]
    public async Task ALineSwitchedOffByConfigurationIsNotLoaded()
    {
        await using var database = await TestDatabase.CreateAsync(Tongxin.Host.Persistence.DatabaseProvider.Sqlite);
        await using var factory = TongxinApp.CreateFactory(database, new Dictionary<string, string?> { ["Modules:counselling:Enabled"] = "false" });
        var modules = (await new Api(factory.CreateClient()).GetAsync("/api/modules")).AssertStatus(HttpStatusCode.OK).Array;
        var keys = modules.Select(m => m!["key"]!.GetValue<string>()).ToList();
        Assert.DoesNotContain("counselling", keys);
        Assert.Contains("tutoring", keys);
    }

    [Fact]
    public async Task EachLineSaysHowManyChildrenAVolunteerTakesWhenTheRegistrationDoesNot()
    {
        var county = await TestCounty.CreateAsync(app);
        var civil = await county.As("civil");
        var skills = new Dictionary<string, object>
        {
            ["caring-mother"] = new { supportKinds = new[] { "daily-life" } },
            ["tutoring"] = new { subjects = new[] { "maths" }, gradeMin = 1, gradeMax = 6, modes = new[] { "online" } },
        };
        async Task<int> CapacityOfAsync(string[] lines)
        {
            var id = (await civil.PostAsync("/api/volunteers", new
            {
                displayName = "志愿者", gender = "female", regionCode = county.VillageA1, lines,
                skills = lines.ToDictionary(l => l, l => skills[l]), availability = new[] { "weekend-morning" },
            })).AssertStatus(HttpStatusCode.Created).Id;
            return (await civil.GetAsync($"/api/volunteers/{id}")).AssertStatus(HttpStatusCode.OK).Get<int>("capacity");
        }

        // A Caring Mother pairs one to one (the line's rule); tutoring keeps the contract's default; both lines, the smaller.
        Assert.Equal(1, await CapacityOfAsync(["caring-mother"]));
        Assert.Equal(2, await CapacityOfAsync(["tutoring"]));
        Assert.Equal(1, await CapacityOfAsync(["caring-mother", "tutoring"]));
    }
}

/// <summary>
/// The plug-in folder, with the real host process: the sample legal-aid module, built by this test,
/// appears without any edit to the host; a broken assembly stops start-up with a message naming it.
/// </summary>
public sealed class PluginFolderTests
{
    [Fact]
    public async Task TheSampleLegalAidModuleInThePluginFolderIsListed()
    {
        var work = Directory.CreateTempSubdirectory("tongxin-plugin-").FullName;
        var plugins = await SamplePlugin.BuildIntoAsync(Path.Combine(work, "plugins"));
        await using var host = HostProcess.Start(work, "--Modules:PluginFolder=" + plugins);
        Assert.True(await host.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60)), host.Output);

        var modules = (await host.Client().GetAsync("/api/modules")).AssertStatus(HttpStatusCode.OK).Array;
        var legalAid = Assert.Single(modules, m => m!["key"]!.GetValue<string>() == "legal-aid")!;
        Assert.Equal("法律援助", legalAid["nameZh"]!.GetValue<string>());
        Assert.True(legalAid["plugin"]!.GetValue<bool>());
        Assert.Equal(5, modules.Count);
    }

    [Fact]
    public async Task ABrokenPluginAssemblyStopsStartUpAndIsNamed()
    {
        var work = Directory.CreateTempSubdirectory("tongxin-broken-").FullName;
        var plugins = Directory.CreateDirectory(Path.Combine(work, "plugins")).FullName;
        await File.WriteAllBytesAsync(Path.Combine(plugins, "Broken.Plugin.dll"), "this is not an assembly"u8.ToArray());

        await using var host = HostProcess.Start(work, "--Modules:PluginFolder=" + plugins);
        var exitCode = await host.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.NotNull(exitCode);
        Assert.NotEqual(0, exitCode);
        Assert.Contains("Broken.Plugin.dll", host.Output);
    }
}

/// <summary>The README's run command: the embedded default (SQLite under data/), --urls, demo mode.</summary>
public sealed class RunCommandTests
{
    [Fact]
    public async Task TheHostStartsOnSqliteUnderDataWithDemoUsersOnTheGivenAddress()
    {
        var work = Directory.CreateTempSubdirectory("tongxin-run-").FullName;
        await using var host = HostProcess.Start(work, "--demo");
        Assert.True(await host.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60)), host.Output);
        Assert.True(File.Exists(Path.Combine(work, "data", "tongxin.db")), "The embedded database is created under data/.");

        var director = host.Client();
        await director.LoginAsync("director", Tongxin.Host.Demo.DemoCounty.Password);
        var children = (await director.GetAsync("/api/children")).AssertStatus(HttpStatusCode.OK);
        Assert.True(children.Get<int>("total") > 0);
        await (await Task.FromResult(host.Client())).LoginAsync("admin", Tongxin.Host.Demo.DemoCounty.Password);
    }

    [Fact]
    public async Task WithoutDemoModeThereIsNoDefaultPassword()
    {
        var work = Directory.CreateTempSubdirectory("tongxin-run-").FullName;
        await using var host = HostProcess.Start(work);
        Assert.True(await host.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60)), host.Output);
        var response = await host.Client().PostAsync("/api/auth/login", new { userName = "admin", password = Tongxin.Host.Demo.DemoCounty.Password });
        response.AssertProblem(HttpStatusCode.Unauthorized);
        Assert.Contains("Bootstrap__AdminUserName", host.Output);
    }
}
