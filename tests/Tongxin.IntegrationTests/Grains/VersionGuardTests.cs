using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tongxin.Host.Persistence;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Grains;

public sealed class VersionGuardTestsOnSqlite(SqliteCounty app) : VersionGuardTests(app), IClassFixture<SqliteCounty>;

public sealed class VersionGuardTestsOnPostgres(PostgresCounty app) : VersionGuardTests(app), IClassFixture<PostgresCounty>;

/// <summary>
/// Orleans' single activation is the first guard of a child's file; the version in the database is the second. A
/// write made beside the grain (a host the cluster wrongly thought dead, a repair by hand) is not overwritten: the
/// grain's next write fails on the version, the grain reloads, and the change is made on the fresh file.
/// </summary>
public abstract class VersionGuardTests(CountyApp app)
{
    [Fact]
    public async Task AWriteBesideTheChildsGrainIsKeptAndTheGrainGoesOnFromTheFreshFile()
    {
        var director = await app.As("director-a1");
        var id = (await director.PostAsync("/api/children", SampleCounty.ChildBody(SampleCounty.VillageA1))).AssertStatus(HttpStatusCode.Created).Id;
        // The grain is active and holds version 2.
        (await director.PutAsync($"/api/children/{id}/risk", new { riskLevel = "high", reason = "祖母住院" })).AssertStatus(HttpStatusCode.OK);

        await WriteBesideTheGrainAsync(id, file => file.GuardianSituation = "父亲已返乡照料");

        // The grain still holds version 2; its write with that version fails, it reloads (version 3) and writes version 4.
        (await director.PutAsync($"/api/children/{id}/risk", new { riskLevel = "low", reason = "父亲返乡" })).AssertStatus(HttpStatusCode.OK);
        var file = (await director.GetAsync($"/api/children/{id}")).AssertStatus(HttpStatusCode.OK);
        Assert.Equal("low", file.Get<string>("riskLevel"));
        Assert.Equal("父亲已返乡照料", file.Get<string>("guardianSituation"));
        Assert.Equal(4, file.Get<int>("version"));
    }

    [Fact]
    public async Task AnUpdateSentWithTheVersionTheDirectorReadIsSavedEvenIfTheGrainWasBehind()
    {
        var director = await app.As("director-a1");
        var id = (await director.PostAsync("/api/children", SampleCounty.ChildBody(SampleCounty.VillageA1))).AssertStatus(HttpStatusCode.Created).Id;
        (await director.PutAsync($"/api/children/{id}/risk", new { riskLevel = "high", reason = "祖母住院" })).AssertStatus(HttpStatusCode.OK);
        await WriteBesideTheGrainAsync(id, file => file.GuardianSituation = "父亲已返乡照料");

        // The director reads version 3 from the database; the grain still holds 2. The update is theirs to make.
        var read = (await director.GetAsync($"/api/children/{id}")).AssertStatus(HttpStatusCode.OK);
        Assert.Equal(3, read.Get<int>("version"));
        var update = SampleCounty.ChildBody(SampleCounty.VillageA1);
        update["guardianSituation"] = "父亲返乡，母亲仍在外务工";
        update["riskLevel"] = "high";
        update["version"] = 3;
        Assert.Equal(4, (await director.PutAsync($"/api/children/{id}", update)).AssertStatus(HttpStatusCode.OK).Get<int>("version"));

        // And a stale copy is still refused.
        update["version"] = 3;
        (await director.PutAsync($"/api/children/{id}", update)).AssertProblem(HttpStatusCode.Conflict);
    }

    private async Task WriteBesideTheGrainAsync(string childId, Action<ChildFile> change)
    {
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<TongxinDbContext>();
        var file = await db.Children.SingleAsync(c => c.Id == childId);
        change(file);
        file.Version++;
        await db.SaveChangesAsync();
    }
}
