using System.Data.Common;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tongxin.Host.Persistence;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Modules;

/// <summary>The host with the sample legal-aid line loaded from its plug-in folder, and a test county.</summary>
public abstract class LegalAidApp : TongxinApp, IAsyncLifetime
{
    private string pluginFolder = "";

    public TestCounty County { get; private set; } = null!;

    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["Modules:PluginFolder"] = pluginFolder,
        // Read by the line's own startup (IServiceLineStartup): two open cases per child here, three by default.
        ["Modules:legal-aid:OpenCasesPerChild"] = "2",
    };

    async Task IAsyncLifetime.InitializeAsync()
    {
        pluginFolder = await SamplePlugin.SharedFolderAsync();
        await InitializeAsync();
        County = await TestCounty.CreateAsync(this);
    }
}

public sealed class LegalAidOnSqlite : LegalAidApp
{
    protected override DatabaseProvider Provider => DatabaseProvider.Sqlite;
}

public sealed class LegalAidOnPostgres : LegalAidApp
{
    protected override DatabaseProvider Provider => DatabaseProvider.PostgreSQL;
}

public sealed class LegalAidPluginTestsOnSqlite(LegalAidOnSqlite app) : LegalAidPluginTests(app), IClassFixture<LegalAidOnSqlite>;

public sealed class LegalAidPluginTestsOnPostgres(LegalAidOnPostgres app) : LegalAidPluginTests(app), IClassFixture<LegalAidOnPostgres>;

/// <summary>
/// A line dropped into the plug-in folder carries the host's rules (issue 15, point 3): its table is created in the
/// host's database with its own migration history, and its endpoints under /api/lines/legal-aid are checked by role
/// and by the child's region, validated, and audited in the child's trail, by the host's pipeline.
/// </summary>
public abstract class LegalAidPluginTests(LegalAidApp app)
{
    private const string Cases = "/api/lines/legal-aid/cases";

    private TestCounty County => app.County;

    [Fact]
    public async Task TheLinesTableIsInTheHostsDatabaseWithItsOwnMigrationHistory()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TongxinDbContext>();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();

        Assert.Equal(["20261203000001_LegalAidCases"], await ColumnAsync(connection, "SELECT \"MigrationId\" FROM __tongxin_legal_aid_migrations"));
        // The host's own history knows nothing of the line's migrations, and the line's table is there.
        Assert.DoesNotContain("20261203000001_LegalAidCases", await ColumnAsync(connection, "SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\""));
        Assert.Empty(await ColumnAsync(connection, "SELECT \"Id\" FROM legal_aid_cases WHERE \"Id\" = 'none'"));
    }

    [Fact]
    public async Task ADirectorOpensACaseAndOnlyThoseWhoseRegionHoldsTheChildSeeIt()
    {
        var child = await County.ChildAsync("director-a1", County.VillageA1);
        var director = await County.As("director-a1");

        var opened = (await director.PostAsync(Cases, new { childId = child, caseKind = "guardianship" })).AssertStatus(HttpStatusCode.Created);
        Assert.Equal(child, opened.Get<string>("childId"));
        Assert.Equal("guardianship", opened.Get<string>("caseKind"));
        Assert.Equal("open", opened.Get<string>("status"));

        // The village, its town and the county see the case; the other town's village does not.
        foreach (var user in new[] { "director-a1", "supervisor-a", "civil" })
        {
            var list = (await (await County.As(user)).GetAsync(Cases)).AssertStatus(HttpStatusCode.OK).Array;
            Assert.Contains(list, c => c!["id"]!.GetValue<string>() == opened.Id);
        }
        var elsewhere = (await (await County.As("director-b1")).GetAsync(Cases)).AssertStatus(HttpStatusCode.OK).Array;
        Assert.DoesNotContain(elsewhere, c => c!["childId"]!.GetValue<string>() == child);
    }

    [Fact]
    public async Task ACallerOutsideTheChildsRegionOrRoleIsRefusedAndEveryAttemptIsInTheChildsTrail()
    {
        var child = await County.ChildAsync("director-a1", County.VillageA1);

        // Another village's director: 403, before the line's handler runs.
        (await (await County.As("director-b1")).PostAsync(Cases, new { childId = child, caseKind = "custody" })).AssertProblem(HttpStatusCode.Forbidden);
        // A programme owner may not open cases at all, whatever the region.
        (await (await County.As("fulian")).PostAsync(Cases, new { childId = child, caseKind = "custody" })).AssertProblem(HttpStatusCode.Forbidden);
        (await (await County.As("fulian")).GetAsync(Cases)).AssertProblem(HttpStatusCode.Forbidden);
        // No such child: 404.
        (await (await County.As("director-a1")).PostAsync(Cases, new { childId = "0123456789abcdef0123456789abcdef", caseKind = "custody" }))
            .AssertProblem(HttpStatusCode.NotFound);
        // Not signed in: the host's group admits signed-in callers only.
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous().PostAsync(Cases, new { childId = child, caseKind = "custody" })).Status);

        (await (await County.As("director-a1")).PostAsync(Cases, new { childId = child, caseKind = "custody" })).AssertStatus(HttpStatusCode.Created);

        var trail = (await (await County.As("civil")).GetAsync($"/api/audit?childId={child}")).AssertStatus(HttpStatusCode.OK).Array
            .Where(row => row!["action"]!.GetValue<string>() == "legal-aid.case.open")
            .Select(row => row!["outcome"]!.GetValue<string>())
            .ToList();
        // The refusal by region and the one by role, and the case opened.
        Assert.Equal(["denied", "denied", "done"], trail.Order(StringComparer.Ordinal));
        // Nothing was written for the refused attempts.
        var visible = (await (await County.As("civil")).GetAsync(Cases)).AssertStatus(HttpStatusCode.OK).Array;
        Assert.Single(visible, c => c!["childId"]!.GetValue<string>() == child);
    }

    [Fact]
    public async Task BadCasesNameEveryFieldAndTheLinesOwnRuleIsA422()
    {
        var child = await County.ChildAsync("director-a1", County.VillageA1);
        var director = await County.As("director-a1");

        (await director.PostAsync(Cases, new { })).AssertFieldErrors("childId", "caseKind");
        var unknown = (await director.PostAsync(Cases, new { childId = child, caseKind = "banana" })).AssertFieldErrors("caseKind");
        Assert.Contains("guardianship", unknown.Body);
        (await director.PostAsync(Cases, new { childId = 12, caseKind = true })).AssertFieldErrors("childId", "caseKind");

        // Two open cases per child in this host (the line's option, read by its startup); the third is refused.
        (await director.PostAsync(Cases, new { childId = child, caseKind = "custody" })).AssertStatus(HttpStatusCode.Created);
        (await director.PostAsync(Cases, new { childId = child, caseKind = "school-bullying" })).AssertStatus(HttpStatusCode.Created);
        var third = (await director.PostAsync(Cases, new { childId = child, caseKind = "other" })).AssertProblem((HttpStatusCode)422);
        Assert.Contains("childId", third.Json!["errors"]!.AsObject().Select(e => e.Key));

        var mine = (await director.GetAsync(Cases)).AssertStatus(HttpStatusCode.OK).Array.Count(c => c!["childId"]!.GetValue<string>() == child);
        Assert.Equal(2, mine);
    }

    private static async Task<List<string>> ColumnAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var values = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }
        return values;
    }
}
