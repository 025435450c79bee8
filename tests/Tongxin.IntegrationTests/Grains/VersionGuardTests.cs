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
    public async Task AnUpdateFromTheGrainsStaleCopyIsRefusedAndTheNextReadShowsWhatWasWrittenBesideIt()
    {
        var director = await app.As("director-a1");
        var id = (await director.PostAsync("/api/children", SampleCounty.ChildBody(SampleCounty.VillageA1))).AssertStatus(HttpStatusCode.Created).Id;
        (await director.PutAsync($"/api/children/{id}/risk", new { riskLevel = "high", reason = "祖母住院" })).AssertStatus(HttpStatusCode.OK);
        await WriteBesideTheGrainAsync(id, file => file.GuardianSituation = "父亲已返乡照料");

        // The file is read from the grain's memory, which has not seen the write beside it: version 2.
        var stale = (await director.GetAsync($"/api/children/{id}")).AssertStatus(HttpStatusCode.OK);
        Assert.Equal(2, stale.Get<int>("version"));
        var update = SampleCounty.ChildBody(SampleCounty.VillageA1);
        update["guardianSituation"] = "由祖母照料";
        update["riskLevel"] = "high";
        update["version"] = 2;
        // Its write with version 2 fails on the database's version 3: the grain reloads, and the update is now stale.
        (await director.PutAsync($"/api/children/{id}", update)).AssertProblem(HttpStatusCode.Conflict);

        // Nothing was overwritten, and the next read shows the fresh file.
        var fresh = (await director.GetAsync($"/api/children/{id}")).AssertStatus(HttpStatusCode.OK);
        Assert.Equal(3, fresh.Get<int>("version"));
        Assert.Equal("父亲已返乡照料", fresh.Get<string>("guardianSituation"));
    }

    [Fact]
    public async Task AnUpdateWithTheVersionTheListShowedIsSavedEvenIfTheGrainWasBehind()
    {
        var director = await app.As("director-a1");
        var id = (await director.PostAsync("/api/children", SampleCounty.ChildBody(SampleCounty.VillageA1))).AssertStatus(HttpStatusCode.Created).Id;
        (await director.PutAsync($"/api/children/{id}/risk", new { riskLevel = "high", reason = "祖母住院" })).AssertStatus(HttpStatusCode.OK);
        await WriteBesideTheGrainAsync(id, file => file.GuardianSituation = "父亲已返乡照料");

        // The list is read from the database: version 3, newer than the grain's 2. The update is the director's to make.
        var listed = (await director.GetAsync("/api/children?pageSize=100")).AssertStatus(HttpStatusCode.OK).Json!["items"]!.AsArray()
            .Single(c => c!["id"]!.GetValue<string>() == id)!;
        Assert.Equal(3, listed["version"]!.GetValue<int>());
        var update = SampleCounty.ChildBody(SampleCounty.VillageA1);
        update["guardianSituation"] = "父亲返乡，母亲仍在外务工";
        update["riskLevel"] = "high";
        update["version"] = 3;
        Assert.Equal(4, (await director.PutAsync($"/api/children/{id}", update)).AssertStatus(HttpStatusCode.OK).Get<int>("version"));
        Assert.Equal("父亲返乡，母亲仍在外务工", (await director.GetAsync($"/api/children/{id}")).AssertStatus(HttpStatusCode.OK).Get<string>("guardianSituation"));
    }

    [Fact]
    public async Task AnUnknownIdAnswers404ThroughItsGrainEveryTime()
    {
        var director = await app.As("director-a1");
        var admin = await app.AdminAsync();
        // Twice each: the first call activates the grain of an id that has no record, the second finds it so.
        for (var i = 0; i < 2; i++)
        {
            (await director.GetAsync("/api/children/no-such-child")).AssertProblem(HttpStatusCode.NotFound);
            (await director.PutAsync("/api/children/no-such-child/risk", new { riskLevel = "high", reason = "测试" })).AssertProblem(HttpStatusCode.NotFound);
            (await director.PostAsync("/api/children/no-such-child/contacts", new { kind = "call", at = DateTime.UtcNow.AddHours(-1), notes = "测试" }))
                .AssertProblem(HttpStatusCode.NotFound);
            (await admin.GetAsync("/api/children/no-such-child/grain")).AssertProblem(HttpStatusCode.NotFound);
        }
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
