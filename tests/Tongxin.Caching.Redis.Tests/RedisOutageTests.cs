using System.Diagnostics;
using Microsoft.Extensions.Caching.Distributed;

namespace Tongxin.Caching.Redis.Tests;

/// <summary>
/// Redis going away must not take the host down: calls become quick misses, "down" and "up" are logged
/// once each. Every test here has its own server, since it kills or pauses it.
/// </summary>
public sealed class RedisOutageTests
{
    private const string Down = "RedisCacheDown";
    private const string Up = "RedisCacheUp";
    // "Quickly": a bound, not a benchmark. A call costs at most ConnectTimeout + CommandTimeout (2 s)
    // when it has to wait; while Redis is known down it costs nothing. 3 s leaves room for a busy machine.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(3);

    // Short back-off so the tests see several retries; default 1 s timeouts (a refused connect fails at
    // once anyway, and shorter timeouts would trip on a busy machine where they are not the subject).
    private static void Fast(RedisCacheOptions options) => options.RetryAfter = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task Killed_server_gives_quick_misses_logs_down_once_and_up_once_after_restart()
    {
        await using var server = await RedisServer.StartAsync();
        using var test = new TestCache(server.Configuration, Fast);
        var (downBefore, upBefore) = await TestCache.WarmUpAsync(test);
        await test.Cache.SetStringAsync("k", "before");
        Assert.Equal("before", await test.Cache.GetStringAsync("k"));

        server.Kill();

        // ~1.5 s of traffic: spans several RetryAfter windows, so the server is probed (and found down)
        // several times, while most calls are skipped without touching the network.
        var outage = Stopwatch.StartNew();
        var calls = 0;
        while (outage.Elapsed < TimeSpan.FromMilliseconds(1500))
        {
            var one = Stopwatch.StartNew();
            Assert.Null(calls % 2 == 0 ? test.Cache.Get("k") : await test.Cache.GetAsync("k"));
            test.Cache.Set("k", Bytes.Of("during"), new DistributedCacheEntryOptions());
            await test.Cache.SetAsync("k", Bytes.Of("during"), new DistributedCacheEntryOptions());
            test.Cache.Refresh("k");
            await test.Cache.RefreshAsync("k");
            test.Cache.Remove("k");
            await test.Cache.RemoveAsync("k");
            Assert.True(one.Elapsed < Bound, $"a round of calls took {one.Elapsed}");
            calls++;
            await Task.Delay(20);
        }
        Assert.True(calls > 10);
        Assert.False(test.Redis.IsAvailable);
        Assert.Equal(downBefore + 1, test.Logs.Messages(Down).Count);
        Assert.Equal(upBefore, test.Logs.Messages(Up).Count);
        Assert.Contains(server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), test.Logs.Messages(Down)[^1], StringComparison.Ordinal);

        await server.StartAsync(); // same port, empty data set

        Assert.True(await Wait.UntilAsync(async () =>
        {
            await test.Cache.GetAsync("k");
            return test.Redis.IsAvailable;
        }, TimeSpan.FromSeconds(5)));
        await test.Cache.SetStringAsync("k", "after");
        Assert.Equal("after", await test.Cache.GetStringAsync("k"));
        Assert.Equal("after", test.Cache.GetString("k"));
        for (var i = 0; i < 20; i++)
        {
            await test.Cache.GetAsync("k");
        }

        Assert.Equal(upBefore + 1, test.Logs.Messages(Up).Count);
        Assert.Equal(downBefore + 1, test.Logs.Messages(Down).Count);
    }

    [Fact]
    public async Task No_server_at_all_is_a_quick_miss_and_never_an_exception()
    {
        using var test = new TestCache($"127.0.0.1:{RedisServer.FreePort()}", Fast);

        for (var i = 0; i < 20; i++)
        {
            var one = Stopwatch.StartNew();
            Assert.Null(await test.Cache.GetAsync("k"));
            Assert.Null(test.Cache.Get("k"));
            await test.Cache.SetStringAsync("k", "v");
            Assert.True(one.Elapsed < Bound);
        }

        Assert.False(test.Redis.IsAvailable);
        Assert.Single(test.Logs.Messages(Down));
    }

    [Fact]
    public async Task A_server_that_stops_answering_times_out_to_a_miss_and_recovers()
    {
        await using var server = await RedisServer.StartAsync();
        using var test = new TestCache(server.Configuration, options =>
        {
            Fast(options);
            options.CommandTimeout = TimeSpan.FromMilliseconds(500);
        });
        await TestCache.WarmUpAsync(test);
        // A busy machine can stretch one command past the short timeout this test sets: the value is in place
        // once a write and a read have both answered (a timed-out write is a miss, never an error).
        Assert.True(await Wait.UntilAsync(async () =>
        {
            await test.Cache.SetStringAsync("k", "v");
            return await test.Cache.GetStringAsync("k") == "v" && test.Redis.IsAvailable;
        }, TimeSpan.FromSeconds(10), everyMs: 100));
        var (downBefore, upBefore) = (test.Logs.Messages(Down).Count, test.Logs.Messages(Up).Count);

        server.Pause(); // connections stay open, nothing answers
        try
        {
            var clock = Stopwatch.StartNew();
            Assert.Null(await test.Cache.GetAsync("k"));
            Assert.True(clock.Elapsed < Bound, $"took {clock.Elapsed}");
            clock.Restart();
            Assert.Null(test.Cache.Get("k")); // sync path: socket timeouts
            Assert.True(clock.Elapsed < Bound, $"took {clock.Elapsed}");
            Assert.False(test.Redis.IsAvailable);
            Assert.Equal(downBefore + 1, test.Logs.Messages(Down).Count);
        }
        finally
        {
            server.Resume();
        }

        // The paused connections were thrown away, so the late replies they still hold can't be mistaken
        // for answers to new commands.
        Assert.True(await Wait.UntilAsync(async () => await test.Cache.GetStringAsync("k") == "v", TimeSpan.FromSeconds(5)));
        await test.Cache.SetStringAsync("other", "x");
        Assert.Equal("x", await test.Cache.GetStringAsync("other"));
        Assert.Equal("v", test.Cache.GetString("k"));
        Assert.Equal(upBefore + 1, test.Logs.Messages(Up).Count);
    }

    [Fact]
    public async Task A_wrong_password_counts_as_down_and_the_right_one_works()
    {
        await using var server = await RedisServer.StartAsync("--requirepass", "s3cret");

        using (var wrong = new TestCache(server.Configuration + ",password=nope", Fast))
        {
            Assert.Null(await wrong.Cache.GetAsync("k"));
            await wrong.Cache.SetStringAsync("k", "v");
            Assert.False(wrong.Redis.IsAvailable);
            var message = Assert.Single(wrong.Logs.Messages(Down));
            Assert.DoesNotContain("nope", message, StringComparison.Ordinal);
        }

        using var right = new TestCache(server.Configuration + ",password=s3cret,defaultDatabase=3", Fast);
        await TestCache.WarmUpAsync(right);
        await right.Cache.SetStringAsync("k", "v");
        Assert.Equal("v", await right.Cache.GetStringAsync("k"));
        Assert.True(right.Redis.IsAvailable);

        // SELECT 3 took effect: the entry is in database 3, not 0.
        using var db3 = Raw.Client(server, ",password=s3cret,defaultDatabase=3");
        using var db0 = Raw.Client(server, ",password=s3cret");
        Assert.Equal(1, (await db3.ExecuteAsync(["EXISTS", right.InstanceName + "k"])).Integer);
        Assert.Equal(0, (await db0.ExecuteAsync(["EXISTS", right.InstanceName + "k"])).Integer);
    }
}

/// <summary>The client on its own.</summary>
public sealed class RedisClientTests
{
    [Fact]
    public async Task Error_replies_are_values_and_the_connection_stays_usable()
    {
        await using var server = await RedisServer.StartAsync();
        using var client = Raw.Client(server);

        var error = await client.ExecuteAsync(["NOSUCHCOMMAND", "x"]);
        Assert.True(error.IsError);
        Assert.Equal("PONG", client.Execute("PING").Text);
        Assert.Equal(3, (await client.ExecuteAsync(["RPUSH", "list", "a", "b", "c"])).Integer);
        var range = await client.ExecuteAsync(["LRANGE", "list", 0, -1]);
        Assert.Equal(["a", "b", "c"], range.Items!.Select(item => item.AsString()));
    }

    [Fact]
    public async Task A_restarted_server_is_reconnected_to_without_the_caller_seeing_the_stale_connection()
    {
        await using var server = await RedisServer.StartAsync();
        using var client = Raw.Client(server);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => client.ExecuteAsync(["PING"]))); // fill the pool

        server.Kill();
        await server.StartAsync();

        // The pooled connections are dead; the first command finds out, drops them and retries once on a fresh one.
        Assert.Equal("PONG", (await client.ExecuteAsync(["PING"])).Text);
        Assert.Equal("PONG", client.Execute("PING").Text);
    }

    [Fact]
    public async Task A_batch_runs_on_one_connection_in_order()
    {
        await using var server = await RedisServer.StartAsync();
        using var client = Raw.Client(server);

        var replies = await client.ExecuteBatchAsync([["MULTI"], ["SET", "a", "1"], ["INCR", "a"], ["EXEC"]]);

        Assert.Equal(["OK", "QUEUED", "QUEUED"], replies.Take(3).Select(reply => reply.Text));
        Assert.Equal(2, replies[3].Items![1].Integer);
    }

    [Fact]
    public async Task A_host_name_is_resolved_and_each_address_tried_in_both_paths()
    {
        await using var server = await RedisServer.StartAsync(); // bound to 127.0.0.1 only; localhost may resolve to ::1 first
        using var client = new RedisClient(new RedisClientSettings(
            RedisEndpoint.Parse($"localhost:{server.Port}"), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), PoolSize: 1));

        Assert.Equal("PONG", client.Execute("PING").Text);
        Assert.Equal("PONG", (await client.ExecuteAsync(["PING"])).Text);
    }

    [Fact]
    public void Nothing_listening_is_a_connection_exception_not_a_hang()
    {
        using var client = new RedisClient(new RedisClientSettings(
            RedisEndpoint.Parse($"127.0.0.1:{RedisServer.FreePort()}"), TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(500), PoolSize: 1));
        var clock = Stopwatch.StartNew();
        Assert.Throws<RedisConnectionException>(() => client.Execute("PING"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3));
    }
}
