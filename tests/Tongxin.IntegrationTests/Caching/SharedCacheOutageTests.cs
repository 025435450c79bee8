using System.Diagnostics;
using System.Net;
using Tongxin.Host.Caching;
using Tongxin.Host.Persistence;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Caching;

/// <summary>
/// Redis down: two hosts with <c>Cache:Provider=Redis</c> keep answering every request from the database, with
/// the same content, and each logs "down" once (not per request); a region created while Redis is down is
/// seen once it is back — after a restart that lost its data (SIGKILL) and after a pause that kept it
/// (SIGSTOP/SIGCONT: the cached lists of before the change are still in Redis then, and must not be read).
/// On SQLite only: the subject is the cache, and the database answers the same way on PostgreSQL.
/// </summary>
public sealed class SharedCacheOutageTests : IAsyncLifetime
{
    private const string Down = "RedisCacheDown";
    private const string Up = "RedisCacheUp";

    private RedisBackedHosts _hosts = null!;
    private TestCounty _county = null!;

    public async Task InitializeAsync()
    {
        _hosts = await RedisBackedHosts.StartAsync(DatabaseProvider.Sqlite);
        _county = await TestCounty.CreateAsync(_hosts.A);
    }

    public async Task DisposeAsync() => await _hosts.DisposeAsync();

    [Fact]
    public async Task RedisDownMeansTheSameAnswersFromTheDatabaseAndNoStaleListAfterwards()
    {
        var clients = new List<Api>();
        foreach (var host in new[] { _hosts.A, _hosts.B })
        {
            clients.Add(await host.LoginAsync(_county.User("civil"), TestCounty.Password));
            clients.Add(await host.LoginAsync(_county.User("director-a1"), TestCounty.Password));
        }
        var civilOnA = clients[0];

        // Before: every answer twice (the second from the cache), the same on both hosts.
        var before = await ReadAllAsync(clients);
        Assert.Equal(before, await ReadAllAsync(clients));

        // Killed: the same answers, many times over, from the database.
        _hosts.Redis.Kill();
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(before, await ReadAllAsync(clients));
        }
        Assert.Equal(1, _hosts.A.Logs.Count(Down));
        Assert.Equal(1, _hosts.B.Logs.Count(Down));

        // A region created while Redis is down is seen at once on both hosts.
        await CreateVillageAsync(civilOnA, "801", "停机村");
        var withFirst = await ReadAllAsync(clients);
        AssertListsVillage(withFirst, "801");

        // Back, empty: still the same answers, the cache in use again, "up" logged once.
        await _hosts.Redis.StartAsync();
        await AnswerUnchangedUntilCacheBackAsync(clients, withFirst);
        Assert.Equal(1, _hosts.A.Logs.Count(Up));
        Assert.Equal(1, _hosts.B.Logs.Count(Up));

        // Paused: Redis keeps its data, including the lists cached just now, which lack the next village.
        Assert.Equal(withFirst, await ReadAllAsync(clients));
        _hosts.Redis.Pause();
        try
        {
            Assert.Equal(withFirst, await ReadAllAsync(clients));
            await CreateVillageAsync(civilOnA, "802", "暂停村");
            var withSecond = await ReadAllAsync(clients);
            AssertListsVillage(withSecond, "802");
            _hosts.Redis.Resume();

            // From the first request after Redis is back, and on: no host answers with the list of before.
            await AnswerUnchangedUntilCacheBackAsync(clients, withSecond);
        }
        finally
        {
            _hosts.Redis.Resume();
        }
        Assert.Equal(2, _hosts.A.Logs.Count(Down));
        Assert.Equal(2, _hosts.B.Logs.Count(Down));
    }

    /// <summary>
    /// Reads again and again, each answer compared with <paramref name="expected"/>, until both hosts use the
    /// cache again (Redis up, no generation bump owed) and for a second more; at most 20 s.
    /// </summary>
    private async Task AnswerUnchangedUntilCacheBackAsync(IReadOnlyList<Api> clients, IReadOnlyList<string> expected)
    {
        var clock = Stopwatch.StartNew();
        TimeSpan? backAt = null;
        while (backAt is null || clock.Elapsed < backAt + TimeSpan.FromSeconds(1))
        {
            Assert.Equal(expected, await ReadAllAsync(clients));
            if (backAt is null && InUse(_hosts.A) && InUse(_hosts.B))
            {
                backAt = clock.Elapsed;
            }
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "the hosts did not use the cache again within 20 s");
            await Task.Delay(50);
        }
    }

    private static bool InUse(HostUnderTest host) =>
        host.Service<OutageTolerantRedisCache>().IsAvailable && host.Service<LookupCache>().Owed.Count == 0;

    /// <summary>The region-scoped reads of a civil-affairs officer and a village director, as response bodies.</summary>
    private async Task<List<string>> ReadAllAsync(IReadOnlyList<Api> clients)
    {
        var bodies = new List<string>();
        foreach (var api in clients)
        {
            foreach (var path in new[]
                     {
                         "/api/me", "/api/regions", $"/api/children?regionCode={_county.VillageA1}", $"/api/needs?regionCode={_county.VillageA1}",
                         $"/api/programmes?regionCode={_county.VillageA1}",
                     }.Concat(api == clients[0] || api == clients[2] ? [$"/api/followups/backlog?regionCode={_county.TownA}"] : []))
            {
                var response = await api.GetAsync(path);
                response.AssertStatus(HttpStatusCode.OK);
                bodies.Add(path + " " + response.Body);
            }
        }
        // Both hosts answer alike: the second half (host B) repeats the first (host A).
        Assert.Equal(bodies.Take(bodies.Count / 2), bodies.Skip(bodies.Count / 2));
        return bodies;
    }

    private async Task CreateVillageAsync(Api civil, string suffix, string name) =>
        (await civil.PostAsync("/api/regions", new { code = _county.TownA + suffix, name, kind = "village", parentCode = _county.TownA }))
            .AssertStatus(HttpStatusCode.Created);

    private void AssertListsVillage(IReadOnlyList<string> bodies, string suffix)
    {
        var code = $"\"{_county.TownA}{suffix}\"";
        Assert.Contains(bodies, b => b.StartsWith("/api/regions ", StringComparison.Ordinal) && b.Contains(code, StringComparison.Ordinal));
        Assert.Contains(bodies, b => b.StartsWith("/api/followups/backlog", StringComparison.Ordinal) && b.Contains(code, StringComparison.Ordinal));
    }
}
