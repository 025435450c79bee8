using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Caching.Distributed;
using StackExchange.Redis;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Caching;

/// <summary>
/// Redis going away must not fail the host: every call becomes a miss that answers quickly, and "down" and "up" are
/// logged once each. Every test has its own redis-server, since it kills or pauses it.
/// </summary>
public sealed class RedisCacheOutageTests
{
    private const string Down = "RedisCacheDown";

    // A bound, not a benchmark: with the fail-fast options a call to an unreachable Redis fails in milliseconds and one
    // to a hung Redis after the 500 ms CommandTimeout, where StackExchange.Redis' defaults wait 5 s per call (11 s for
    // the first when Redis was down at start). 2 s leaves room for a busy machine.
    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(2);

    // A short back-off, so that a test's outage spans several tries of Redis, not only calls skipped without one.
    private static readonly Dictionary<string, string> ShortBackOff = new() { ["RetryAfter"] = "00:00:00.300" };

    private static readonly DistributedCacheEntryOptions NoExpiry = new();

    [Fact]
    public async Task AKilledServerGivesQuickMissesLogsDownOnceAndUpOnceAfterARestart()
    {
        await using var server = await RedisServer.StartAsync();
        using var test = new RedisCacheUnderTest(server.Configuration, ShortBackOff);
        await test.WarmUpAsync();
        await test.Cache.SetStringAsync("k", "before");
        Assert.Equal("before", await test.Cache.GetStringAsync("k"));
        var (downs, ups) = (test.Downs, test.Ups);

        server.Kill();

        var rounds = await CallEverythingAsync(test, TimeSpan.FromMilliseconds(1500), "k");
        Assert.True(rounds > 5, $"only {rounds} rounds of calls in 1.5 s");
        Assert.False(test.Redis.IsAvailable);
        Assert.Equal(downs + 1, test.Downs);
        Assert.Equal(ups, test.Ups);
        Assert.Contains(server.Port.ToString(CultureInfo.InvariantCulture), test.Logs.Messages(Down)[^1], StringComparison.Ordinal);

        await server.StartAsync(); // same port, empty

        Assert.True(await Wait.UntilAsync(async () =>
        {
            await test.Cache.GetAsync("k");
            return test.Redis.IsAvailable;
        }, TimeSpan.FromSeconds(10)), "the cache did not use Redis again within 10 s of its restart");
        await test.Cache.SetStringAsync("k", "after");
        Assert.Equal("after", await test.Cache.GetStringAsync("k"));
        Assert.Equal("after", test.Cache.GetString("k"));
        for (var i = 0; i < 20; i++)
        {
            await test.Cache.GetAsync("k");
        }
        Assert.Equal(ups + 1, test.Ups);
        Assert.Equal(downs + 1, test.Downs);
    }

    [Fact]
    public async Task NoServerAtAllIsAQuickMissAndNeverAnException()
    {
        using var test = new RedisCacheUnderTest($"127.0.0.1:{RedisServer.FreePort()}", ShortBackOff);

        var rounds = await CallEverythingAsync(test, TimeSpan.FromMilliseconds(1500), "k");

        Assert.True(rounds > 5, $"only {rounds} rounds of calls in 1.5 s");
        Assert.False(test.Redis.IsAvailable);
        Assert.Equal(1, test.Downs);
        Assert.Equal(0, test.Ups);
    }

    [Fact]
    public async Task AServerThatStopsAnsweringIsAMissAfterTheTimeoutAndIsUsedAgainWhenItAnswers()
    {
        await using var server = await RedisServer.StartAsync();
        // No back-off: every call during the pause tries Redis, so each one shows how long a hung Redis holds a caller.
        using var test = new RedisCacheUnderTest(server.Configuration, new Dictionary<string, string> { ["RetryAfter"] = "00:00:00" });
        await test.WarmUpAsync();
        // A busy machine can stretch one call past the 500 ms timeout: the entry is in place once a write and a read
        // have both answered (a timed-out write is a miss, never an error).
        Assert.True(await Wait.UntilAsync(async () =>
        {
            await test.Cache.SetStringAsync("k", "v");
            return await test.Cache.GetStringAsync("k") == "v" && test.Redis.IsAvailable;
        }, TimeSpan.FromSeconds(10)));
        var (downs, ups) = (test.Downs, test.Ups);

        server.Pause(); // connections stay open, nothing answers
        try
        {
            // A write first: StackExchange.Redis reports a timed-out transaction as a cancelled task, not a timeout.
            // The writes go to another key: a paused Redis still holds them in its socket and may run them on resume.
            await AssertQuickAsync("SetAsync", () => test.Cache.SetStringAsync("other", "during"));
            await AssertQuickAsync("GetAsync", async () => Assert.Null(await test.Cache.GetAsync("k")));
            await AssertQuickAsync("Get", () =>
            {
                Assert.Null(test.Cache.Get("k"));
                return Task.CompletedTask;
            });
            await AssertQuickAsync("Set", () =>
            {
                test.Cache.SetString("other", "during");
                return Task.CompletedTask;
            });
            await AssertQuickAsync("RemoveAsync", () => test.Cache.RemoveAsync("other"));
            Assert.False(test.Redis.IsAvailable);
            Assert.Equal(downs + 1, test.Downs);
        }
        finally
        {
            server.Resume();
        }

        // Redis kept its data through the pause: the entry of before is read from it again.
        Assert.True(await Wait.UntilAsync(async () => await test.Cache.GetStringAsync("k") == "v" && test.Redis.IsAvailable, TimeSpan.FromSeconds(10)));
        Assert.Equal("v", test.Cache.GetString("k"));
        Assert.Equal(ups + 1, test.Ups);
        Assert.Equal(downs + 1, test.Downs);
    }

    [Fact]
    public async Task AWrongPasswordCountsAsDownAndTheRightOneAndDatabaseAreUsed()
    {
        await using var server = await RedisServer.StartAsync("--requirepass", "s3cret");

        using (var wrong = new RedisCacheUnderTest(server.Configuration + ",password=nope", ShortBackOff))
        {
            Assert.Null(await wrong.Cache.GetAsync("k"));
            await wrong.Cache.SetStringAsync("k", "v");
            Assert.False(wrong.Redis.IsAvailable);
            var message = Assert.Single(wrong.Logs.Messages(Down));
            Assert.DoesNotContain("nope", message, StringComparison.Ordinal);
        }

        using var right = new RedisCacheUnderTest(server.Configuration + ",password=s3cret,defaultDatabase=3");
        await right.WarmUpAsync();
        await right.Cache.SetStringAsync("k", "v");
        Assert.Equal("v", await right.Cache.GetStringAsync("k"));

        await using var raw = await ConnectionMultiplexer.ConnectAsync(server.Configuration + ",password=s3cret");
        Assert.True(await raw.GetDatabase(3).KeyExistsAsync(right.InstanceName + "k"));
        Assert.False(await raw.GetDatabase(0).KeyExistsAsync(right.InstanceName + "k"));
    }

    /// <summary>
    /// Calls every operation, sync and async, again and again for <paramref name="duration"/>: each must answer
    /// (Get with a miss) within <see cref="Quick"/> without throwing. Returns how many rounds it made.
    /// </summary>
    private static async Task<int> CallEverythingAsync(RedisCacheUnderTest test, TimeSpan duration, string key)
    {
        var outage = Stopwatch.StartNew();
        var rounds = 0;
        while (outage.Elapsed < duration)
        {
            await AssertQuickAsync("GetAsync", async () => Assert.Null(await test.Cache.GetAsync(key)));
            await AssertQuickAsync("the sync calls", () =>
            {
                Assert.Null(test.Cache.Get(key));
                test.Cache.Set(key, [1], NoExpiry);
                test.Cache.Refresh(key);
                test.Cache.Remove(key);
                return Task.CompletedTask;
            });
            await AssertQuickAsync("the async writes", async () =>
            {
                await test.Cache.SetAsync(key, [1], NoExpiry);
                await test.Cache.RefreshAsync(key);
                await test.Cache.RemoveAsync(key);
            });
            rounds++;
            await Task.Delay(50);
        }
        return rounds;
    }

    private static async Task AssertQuickAsync(string what, Func<Task> call)
    {
        var clock = Stopwatch.StartNew();
        await call();
        Assert.True(clock.Elapsed < Quick, $"{what} took {clock.Elapsed.TotalMilliseconds:0} ms while Redis was down");
    }
}
