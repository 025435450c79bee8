using System.Net;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Persistence;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Caching;

public sealed class SharedCacheTestsOnSqlite() : SharedCacheTests(DatabaseProvider.Sqlite);

public sealed class SharedCacheTestsOnPostgres() : SharedCacheTests(DatabaseProvider.PostgreSQL);

/// <summary>
/// Region lookups go through the shared cache (Redis), and a region created on one host is seen by a request
/// on the other host as soon as its creation was acknowledged.
/// </summary>
public abstract class SharedCacheTests(DatabaseProvider provider) : IAsyncLifetime
{
    private RedisBackedHosts _hosts = null!;
    private TestCounty _county = null!;

    public async Task InitializeAsync()
    {
        _hosts = await RedisBackedHosts.StartAsync(provider);
        _county = await TestCounty.CreateAsync(_hosts.A);
    }

    public async Task DisposeAsync() => await _hosts.DisposeAsync();

    [Fact]
    public async Task ARegionCreatedOnOneHostIsSeenOnTheOtherAtOnce()
    {
        var civilOnA = await _hosts.A.LoginAsync(_county.User("civil"), TestCounty.Password);
        var civilOnB = await _hosts.B.LoginAsync(_county.User("civil"), TestCounty.Password);
        var hosts = new[] { civilOnA, civilOnB };

        for (var round = 0; round < 6; round++)
        {
            // Both hosts have the lists and lookups in the cache (read twice: the second read is a hit).
            foreach (var api in hosts)
            {
                for (var read = 0; read < 2; read++)
                {
                    (await api.GetAsync("/api/regions")).AssertStatus(HttpStatusCode.OK);
                    (await api.GetAsync($"/api/children?regionCode={_county.TownA}")).AssertStatus(HttpStatusCode.OK);
                    (await api.GetAsync($"/api/followups/backlog?regionCode={_county.TownA}")).AssertStatus(HttpStatusCode.OK);
                }
            }

            // Created on one host, read on the other in the very next request.
            var (writer, reader) = round % 2 == 0 ? (civilOnA, civilOnB) : (civilOnB, civilOnA);
            var village = $"{_county.TownA}{700 + round}";
            (await writer.PostAsync("/api/regions", new { code = village, name = $"新村{round}", kind = "village", parentCode = _county.TownA }))
                .AssertStatus(HttpStatusCode.Created);

            var regions = (await reader.GetAsync("/api/regions")).AssertStatus(HttpStatusCode.OK);
            Assert.Contains(regions.Array, r => r!["code"]!.GetValue<string>() == village);
            var underTown = (await reader.GetAsync($"/api/regions?parentCode={_county.TownA}")).AssertStatus(HttpStatusCode.OK);
            Assert.Contains(underTown.Array, r => r!["code"]!.GetValue<string>() == village);
            (await reader.GetAsync($"/api/children?regionCode={village}")).AssertStatus(HttpStatusCode.OK);
            var backlog = (await reader.GetAsync($"/api/followups/backlog?regionCode={_county.TownA}")).AssertStatus(HttpStatusCode.OK);
            Assert.Contains(backlog.Array, v => v!["villageCode"]!.GetValue<string>() == village);
            // And a director placed there can open a file in it on either host.
            await _county.UserAsync($"director-new{round}", "child-director", village);
            var director = await (round % 2 == 0 ? _hosts.B : _hosts.A).LoginAsync(_county.User($"director-new{round}"), TestCounty.Password);
            Assert.Equal($"新村{round}", (await director.GetAsync("/api/me")).AssertStatus(HttpStatusCode.OK).Get<string>("regionName"));
            (await director.PostAsync("/api/children", SampleCounty.ChildBody(village, 9))).AssertStatus(HttpStatusCode.Created);
        }
    }

    [Fact]
    public async Task LookupsAreAnsweredFromTheSharedCacheUntilARegionChanges()
    {
        var civilOnA = await _hosts.A.LoginAsync(_county.User("civil"), TestCounty.Password);
        var civilOnB = await _hosts.B.LoginAsync(_county.User("civil"), TestCounty.Password);
        var directorOnA = await _hosts.A.LoginAsync(_county.User("director-a2"), TestCounty.Password);
        var directorOnB = await _hosts.B.LoginAsync(_county.User("director-a2"), TestCounty.Password);
        Assert.Equal("甲二村", (await directorOnB.GetAsync("/api/me")).Get<string>("regionName"));
        Assert.Contains(RegionNames(await civilOnB.GetAsync("/api/regions")), n => n == "甲二村");

        // A change behind the host's back (no host bumps the generation): host B filled the cache above, and
        // host A — which never read these — answers the same from it. This is how we know the lookups are
        // cached and shared; the database itself is only ever changed through the API.
        await RenameInDatabaseAsync(_county.VillageA2, "甲二村（改）");
        Assert.Equal("甲二村", (await directorOnA.GetAsync("/api/me")).Get<string>("regionName"));
        Assert.DoesNotContain(RegionNames(await civilOnA.GetAsync("/api/regions")), n => n == "甲二村（改）");

        // Any region change through the API is a new generation: both hosts read the database again.
        (await civilOnA.PostAsync("/api/regions", new { code = _county.TownB + "009", name = "乙九村", kind = "village", parentCode = _county.TownB }))
            .AssertStatus(HttpStatusCode.Created);
        foreach (var (director, civil) in new[] { (directorOnA, civilOnA), (directorOnB, civilOnB) })
        {
            Assert.Equal("甲二村（改）", (await director.GetAsync("/api/me")).Get<string>("regionName"));
            var names = RegionNames(await civil.GetAsync("/api/regions"));
            Assert.Contains(names, n => n == "甲二村（改）");
            Assert.Contains(names, n => n == "乙九村");
        }
    }

    private static List<string> RegionNames(ApiResponse response) =>
        response.AssertStatus(HttpStatusCode.OK).Array.Select(r => r!["name"]!.GetValue<string>()).ToList();

    private async Task RenameInDatabaseAsync(string code, string name)
    {
        var options = new DbContextOptionsBuilder<TongxinDbContext>();
        _ = provider == DatabaseProvider.Sqlite ? options.UseSqlite(_hosts.Database.ConnectionString) : options.UseNpgsql(_hosts.Database.ConnectionString);
        await using var db = new TongxinDbContext(options.Options);
        await db.Regions.Where(r => r.Code == code).ExecuteUpdateAsync(set => set.SetProperty(r => r.Name, name));
    }
}
