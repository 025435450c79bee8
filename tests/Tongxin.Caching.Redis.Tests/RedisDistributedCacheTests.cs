using System.Diagnostics;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Tongxin.Caching.Redis.Tests;

/// <summary>IDistributedCache semantics against a real redis-server (one per class; each test has its own InstanceName).</summary>
public sealed class RedisDistributedCacheTests(RedisServerFixture fixture) : IClassFixture<RedisServerFixture>
{
    private static readonly DistributedCacheEntryOptions NoExpiry = new();
    private readonly RedisServer _server = fixture.Server;

    [Fact]
    public async Task Set_then_Get_round_trips_binary_data_sync_and_async()
    {
        using var test = new TestCache(_server.Configuration);
        var binary = new byte[] { 0, 1, 0, 13, 10, 255, 0, (byte)'$', (byte)'*', 0 };

        test.Cache.Set("binary", binary, NoExpiry);
        await test.Cache.SetAsync("text", Bytes.Of("童心 ok"), NoExpiry);

        Assert.Equal(binary, test.Cache.Get("binary"));
        Assert.Equal(binary, await test.Cache.GetAsync("binary"));
        Assert.Equal("童心 ok", await test.Cache.GetStringAsync("text"));
        Assert.Empty(test.Logs.Entries);
        Assert.True(test.Redis.IsAvailable);
    }

    [Fact]
    public async Task An_empty_value_is_a_hit_not_a_miss()
    {
        using var test = new TestCache(_server.Configuration);
        await test.Cache.SetAsync("empty", [], NoExpiry);
        Assert.Equal(Array.Empty<byte>(), await test.Cache.GetAsync("empty"));
    }

    [Fact]
    public async Task A_missing_key_is_null()
    {
        using var test = new TestCache(_server.Configuration);
        Assert.Null(test.Cache.Get("never-set"));
        Assert.Null(await test.Cache.GetAsync("never-set"));
        test.Cache.Refresh("never-set"); // no-op, no error
        await test.Cache.RefreshAsync("never-set");
        Assert.True(test.Redis.IsAvailable);
    }

    [Fact]
    public async Task Remove_deletes_the_entry()
    {
        using var test = new TestCache(_server.Configuration);
        await test.Cache.SetAsync("a", Bytes.Of("1"), NoExpiry);
        test.Cache.Set("b", Bytes.Of("2"), NoExpiry);

        await test.Cache.RemoveAsync("a");
        test.Cache.Remove("b");
        test.Cache.Remove("never-set");

        Assert.Null(await test.Cache.GetAsync("a"));
        Assert.Null(test.Cache.Get("b"));
    }

    [Fact]
    public async Task Entries_are_hashes_under_the_prefix_with_the_documented_fields()
    {
        using var test = new TestCache(_server.Configuration);
        using var raw = Raw.Client(_server);
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        await test.Cache.SetAsync("layout", Bytes.Of("v"), new DistributedCacheEntryOptions
        {
            AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(10),
            SlidingExpiration = TimeSpan.FromMinutes(2),
        });

        var fields = (await raw.ExecuteAsync(["HMGET", test.InstanceName + "layout", "data", "sliding", "absexp"])).Items!;
        Assert.Equal("v", fields[0].AsString());
        Assert.Equal("120000", fields[1].AsString());
        var absolute = long.Parse(fields[2].AsString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(absolute, before + 600_000, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 600_000);
        var ttl = (await raw.ExecuteAsync(["PTTL", test.InstanceName + "layout"])).Integer;
        Assert.InRange(ttl, 110_000, 120_000); // the sliding window, not the 10 minutes
    }

    [Fact]
    public async Task Without_expiration_options_the_key_never_expires_and_overwriting_drops_the_old_window()
    {
        using var test = new TestCache(_server.Configuration);
        using var raw = Raw.Client(_server);
        var key = test.InstanceName + "k";

        await test.Cache.SetAsync("k", Bytes.Of("old"), new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(1) });
        Assert.InRange((await raw.ExecuteAsync(["PTTL", key])).Integer, 1, 60_000);

        await test.Cache.SetAsync("k", Bytes.Of("new"), NoExpiry);
        Assert.Equal(-1, (await raw.ExecuteAsync(["PTTL", key])).Integer); // -1: no TTL
        Assert.Equal("-1", (await raw.ExecuteAsync(["HGET", key, "sliding"])).AsString());
        Assert.Equal("new", await test.Cache.GetStringAsync("k"));
    }

    [Fact]
    public async Task Absolute_expiration_relative_to_now_expires_the_entry()
    {
        using var test = new TestCache(_server.Configuration);
        await test.Cache.SetAsync("short", Bytes.Of("v"), new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMilliseconds(300) });

        Assert.NotNull(await test.Cache.GetAsync("short"));
        Assert.True(await Wait.UntilAsync(async () => await test.Cache.GetAsync("short") is null, TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public async Task Absolute_expiration_at_a_point_in_time_expires_the_entry()
    {
        using var test = new TestCache(_server.Configuration);
        test.Cache.Set("at", Bytes.Of("v"), new DistributedCacheEntryOptions { AbsoluteExpiration = DateTimeOffset.UtcNow.AddMilliseconds(300) });

        Assert.NotNull(test.Cache.Get("at"));
        Assert.True(await Wait.UntilAsync(() => Task.FromResult(test.Cache.Get("at") is null), TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public async Task An_absolute_expiration_in_the_past_is_refused_like_Microsofts_caches()
    {
        using var test = new TestCache(_server.Configuration);
        var past = new DistributedCacheEntryOptions { AbsoluteExpiration = DateTimeOffset.UtcNow.AddSeconds(-1) };
        Assert.Throws<ArgumentOutOfRangeException>(() => test.Cache.Set("k", Bytes.Of("v"), past));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => test.Cache.SetAsync("k", Bytes.Of("v"), past));
    }

    [Fact]
    public async Task Sliding_expiration_is_extended_by_Get()
    {
        using var test = new TestCache(_server.Configuration);
        await test.Cache.SetAsync("slide", Bytes.Of("v"), new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMilliseconds(1000) });

        // 5 reads 300 ms apart: 1.5 s in all, longer than the window, and the entry is still there.
        var alive = Stopwatch.StartNew();
        for (var i = 0; i < 5; i++)
        {
            await Task.Delay(300);
            Assert.NotNull(i % 2 == 0 ? await test.Cache.GetAsync("slide") : test.Cache.Get("slide"));
        }
        Assert.True(alive.Elapsed > TimeSpan.FromMilliseconds(1200));

        // Left alone, it expires.
        using var raw = Raw.Client(_server);
        Assert.True(await Wait.UntilAsync(async () => (await raw.ExecuteAsync(["EXISTS", test.InstanceName + "slide"])).Integer == 0, TimeSpan.FromSeconds(3)));
        Assert.Null(await test.Cache.GetAsync("slide"));
    }

    [Fact]
    public async Task Sliding_expiration_is_extended_by_Refresh()
    {
        using var test = new TestCache(_server.Configuration);
        using var raw = Raw.Client(_server);
        var key = test.InstanceName + "slide";
        await test.Cache.SetAsync("slide", Bytes.Of("v"), new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMilliseconds(1000) });

        for (var i = 0; i < 5; i++)
        {
            await Task.Delay(300);
            if (i % 2 == 0)
            {
                await test.Cache.RefreshAsync("slide");
            }
            else
            {
                test.Cache.Refresh("slide");
            }
            Assert.InRange((await raw.ExecuteAsync(["PTTL", key])).Integer, 700, 1000); // re-armed to the full window
        }
        Assert.Equal("v", await test.Cache.GetStringAsync("slide"));
    }

    [Fact]
    public async Task Sliding_expiration_never_outlives_the_absolute_expiration()
    {
        using var test = new TestCache(_server.Configuration);
        using var raw = Raw.Client(_server);
        await test.Cache.SetAsync("capped", Bytes.Of("v"), new DistributedCacheEntryOptions
        {
            SlidingExpiration = TimeSpan.FromSeconds(10),
            AbsoluteExpirationRelativeToNow = TimeSpan.FromMilliseconds(500),
        });

        Assert.InRange((await raw.ExecuteAsync(["PTTL", test.InstanceName + "capped"])).Integer, 1, 500);
        var clock = Stopwatch.StartNew();
        // Reading keeps sliding it, but the absolute limit wins.
        Assert.True(await Wait.UntilAsync(async () => await test.Cache.GetAsync("capped") is null, TimeSpan.FromSeconds(3), everyMs: 50));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Two_instance_names_do_not_see_each_others_keys()
    {
        using var first = new TestCache(_server.Configuration);
        using var second = new TestCache(_server.Configuration);

        await first.Cache.SetStringAsync("shared-name", "first");
        Assert.Null(await second.Cache.GetAsync("shared-name"));

        await second.Cache.SetStringAsync("shared-name", "second");
        Assert.Equal("first", await first.Cache.GetStringAsync("shared-name"));
        Assert.Equal("second", await second.Cache.GetStringAsync("shared-name"));

        await first.Cache.RemoveAsync("shared-name");
        Assert.Null(await first.Cache.GetAsync("shared-name"));
        Assert.Equal("second", await second.Cache.GetStringAsync("shared-name"));
    }

    [Fact]
    public async Task Many_concurrent_tasks_each_read_their_own_writes()
    {
        using var test = new TestCache(_server.Configuration, options => options.PoolSize = 4);
        const int Tasks = 32, Rounds = 40;

        // More tasks than connections, sync and async calls mixed, each task checking its own key and a
        // key every task writes (whose value must always be one that some task wrote in full).
        var tasks = Enumerable.Range(0, Tasks).Select(t => Task.Run(async () =>
        {
            for (var round = 0; round < Rounds; round++)
            {
                var value = Bytes.Of($"task {t} round {round} " + new string('x', t * 50));
                if (round % 2 == 0)
                {
                    await test.Cache.SetAsync($"own-{t}", value, NoExpiry);
                    Assert.Equal(value, await test.Cache.GetAsync($"own-{t}"));
                }
                else
                {
                    test.Cache.Set($"own-{t}", value, NoExpiry);
                    Assert.Equal(value, test.Cache.Get($"own-{t}"));
                }
                await test.Cache.SetAsync("everyone", value, NoExpiry);
                var seen = await test.Cache.GetStringAsync("everyone");
                Assert.Matches(@"^task (\d+) round \d+ x*$", seen);
                var writer = int.Parse(seen!.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                Assert.Equal(writer * 50, seen.Count(c => c == 'x'));
            }
        })).ToArray();

        try
        {
            await Task.WhenAll(tasks);
        }
        catch (Exception exception)
        {
            throw new Xunit.Sdk.XunitException($"{exception.Message}\nLogs:\n{string.Join("\n", test.Logs.Entries.Select(e => e.Message))}");
        }
        Assert.True(test.Redis.IsAvailable);
        Assert.Empty(test.Logs.Entries);
    }

    [Fact]
    public async Task A_one_MiB_value_round_trips()
    {
        using var test = new TestCache(_server.Configuration);
        var big = Bytes.Random(1024 * 1024, seed: 7);
        big[0] = 0;
        big[^1] = 0;

        await test.Cache.SetAsync("big", big, NoExpiry);
        Assert.Equal(big, await test.Cache.GetAsync("big"));
        test.Cache.Set("big-sync", big, NoExpiry);
        Assert.Equal(big, test.Cache.Get("big-sync"));
        // And the connection is still in step afterwards.
        Assert.Equal("after", await GetAfterSetAsync(test.Cache, "after"));
    }

    [Fact]
    public async Task An_error_reply_is_a_miss_and_does_not_mark_Redis_down()
    {
        using var test = new TestCache(_server.Configuration);
        using var raw = Raw.Client(_server);
        // Someone else put a plain string where the cache expects a hash: HMGET answers WRONGTYPE.
        (await raw.ExecuteAsync(["SET", test.InstanceName + "foreign", "not a hash"])).ThrowIfError();

        Assert.Null(await test.Cache.GetAsync("foreign"));
        Assert.Null(test.Cache.Get("foreign"));
        Assert.True(test.Redis.IsAvailable);
        Assert.Single(test.Logs.Messages("RedisCacheServerError")); // logged, but not once per call

        // Set replaces it (DEL first), after which it reads normally.
        await test.Cache.SetStringAsync("foreign", "mine");
        Assert.Equal("mine", await test.Cache.GetStringAsync("foreign"));
    }

    [Fact]
    public async Task The_callers_cancellation_is_thrown_not_swallowed()
    {
        using var test = new TestCache(_server.Configuration);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => test.Cache.GetAsync("k", cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => test.Cache.SetAsync("k", [1], NoExpiry, cancelled.Token));
        Assert.True(test.Redis.IsAvailable);
    }

    [Fact]
    public void A_malformed_configuration_fails_when_the_cache_is_built_and_hides_the_password()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new TestCache("cache:6379,password=s3cret,ssl=true"));
        Assert.Contains("ssl", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_registration_replaces_the_memory_cache()
    {
        var services = new ServiceCollection();
        services.AddDistributedMemoryCache();
        services.AddTongxinRedisCache(options => options.Configuration = _server.Configuration);
        using var provider = services.BuildServiceProvider();
        Assert.IsType<RedisDistributedCache>(provider.GetRequiredService<IDistributedCache>());
        Assert.Same(provider.GetRequiredService<IDistributedCache>(), provider.GetRequiredService<RedisDistributedCache>());
    }

    private static async Task<string?> GetAfterSetAsync(IDistributedCache cache, string value)
    {
        await cache.SetStringAsync("after", value);
        return await cache.GetStringAsync("after");
    }
}
