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

    // Timing: the tests below run on a busy 2-core machine, beside other test assemblies. So they never
    // assert that a call was fast; they assert a hit only when the call provably finished inside the
    // window (measured from before the Set or the last touch began), and they poll for expiry.

    [Fact]
    public async Task Absolute_expiration_relative_to_now_expires_the_entry()
    {
        using var test = new TestCache(_server.Configuration);
        var window = TimeSpan.FromMilliseconds(500);
        var clock = Stopwatch.StartNew();
        await test.Cache.SetAsync("short", Bytes.Of("v"), new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = window });

        var value = await test.Cache.GetAsync("short");
        if (clock.Elapsed < window)
        {
            Assert.NotNull(value);
        }
        Assert.True(await Wait.UntilAsync(async () => await test.Cache.GetAsync("short") is null, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Absolute_expiration_at_a_point_in_time_expires_the_entry()
    {
        using var test = new TestCache(_server.Configuration);
        var window = TimeSpan.FromMilliseconds(500);
        var clock = Stopwatch.StartNew();
        test.Cache.Set("at", Bytes.Of("v"), new DistributedCacheEntryOptions { AbsoluteExpiration = DateTimeOffset.UtcNow + window });

        var value = test.Cache.Get("at");
        if (clock.Elapsed < window)
        {
            Assert.NotNull(value);
        }
        Assert.True(await Wait.UntilAsync(() => Task.FromResult(test.Cache.Get("at") is null), TimeSpan.FromSeconds(5)));
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
        var window = TimeSpan.FromMilliseconds(1500);
        var traces = new List<string>();
        // A stall longer than the window (seen on a machine shared with browser tests) makes one run
        // inconclusive, not failed: it is tried again, up to three times.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var key = $"slide-{attempt}";
            var (extended, trace) = await ReadRepeatedlyAsync(test.Cache, key, window);
            traces.Add(trace);
            if (extended)
            {
                // Left alone, it expires.
                using var raw = Raw.Client(_server);
                Assert.True(await Wait.UntilAsync(async () => (await raw.ExecuteAsync(["EXISTS", test.InstanceName + key])).Integer == 0, TimeSpan.FromSeconds(6)));
                Assert.Null(await test.Cache.GetAsync(key));
                return;
            }
        }
        Assert.Fail($"the machine was too busy to tell, three times: {string.Join(" | ", traces)}");
    }

    /// <summary>
    /// Sets a sliding entry, then reads it every 250 ms until 750 ms past its unextended expiry. Each read
    /// that finished within the window of the previous touch must be a hit (and re-arms the window); a
    /// hit that began after the unextended expiry proves the extension (true). A stall longer than the
    /// window makes the run inconclusive (false).
    /// </summary>
    private static async Task<(bool Extended, string Trace)> ReadRepeatedlyAsync(IDistributedCache cache, string key, TimeSpan window)
    {
        var clock = Stopwatch.StartNew();
        var lastTouch = clock.Elapsed;
        await cache.SetAsync(key, Bytes.Of("v"), new DistributedCacheEntryOptions { SlidingExpiration = window });
        var unextendedExpiry = clock.Elapsed + window; // the latest it could expire if Get did not extend it
        var trace = new List<string> { $"set done at {(unextendedExpiry - window).TotalMilliseconds:0} ms" };
        var reads = 0;
        var extended = false;
        while (clock.Elapsed < unextendedExpiry + TimeSpan.FromMilliseconds(750))
        {
            await Task.Delay(250);
            var started = clock.Elapsed;
            var value = reads++ % 2 == 0 ? await cache.GetAsync(key) : cache.Get(key);
            trace.Add($"{started.TotalMilliseconds:0}-{clock.Elapsed.TotalMilliseconds:0}:{(value is null ? "miss" : "hit")}");
            if (clock.Elapsed - lastTouch >= window)
            {
                return (false, string.Join(", ", trace)); // stalled: the entry may rightly have expired
            }
            Assert.True(value is not null, $"a read within the window missed: {string.Join(", ", trace)}");
            extended |= started > unextendedExpiry;
            lastTouch = started;
        }
        return (extended, string.Join(", ", trace));
    }

    [Fact]
    public async Task Sliding_expiration_is_extended_by_Refresh()
    {
        using var test = new TestCache(_server.Configuration);
        using var raw = Raw.Client(_server);
        var key = test.InstanceName + "slide";
        await test.Cache.SetAsync("slide", Bytes.Of("v"), new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromSeconds(30) });

        for (var i = 0; i < 4; i++)
        {
            await Task.Delay(200);
            var before = (await raw.ExecuteAsync(["PTTL", key])).Integer; // PTTL and EXISTS touch nothing
            if (i % 2 == 0)
            {
                await test.Cache.RefreshAsync("slide");
            }
            else
            {
                test.Cache.Refresh("slide");
            }
            var after = (await raw.ExecuteAsync(["PTTL", key])).Integer;
            Assert.True(after > before, $"Refresh did not re-arm the window: PTTL {before} ms before, {after} ms after");
            Assert.InRange(after, 1, 30_000);
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
            SlidingExpiration = TimeSpan.FromSeconds(30),
            AbsoluteExpirationRelativeToNow = TimeSpan.FromMilliseconds(500),
        });

        var ttl = (await raw.ExecuteAsync(["PTTL", test.InstanceName + "capped"])).Integer;
        Assert.True(ttl is -2 or (>= 1 and <= 500), $"PTTL {ttl}: the key should live at most 500 ms (-2: already gone)");
        // Reading keeps sliding it, but the absolute limit wins: gone long before the 30 s window.
        Assert.True(await Wait.UntilAsync(async () => await test.Cache.GetAsync("capped") is null, TimeSpan.FromSeconds(5), everyMs: 50));
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
    public async Task Many_concurrent_callers_each_read_their_own_writes()
    {
        using var test = new TestCache(_server.Configuration, options => options.PoolSize = 4);
        const int AsyncCallers = 24, SyncCallers = 8, Rounds = 40;

        // Far more callers than connections, all at once: async ones as tasks, sync ones on threads of
        // their own (as blocking callers should be: sync calls from 32 thread-pool tasks on 2 cores would
        // test thread-pool starvation, not this cache). Each checks its own key, and a key everyone
        // writes, whose value must always be one some caller wrote in full.
        void Check(int caller, int round, byte[]? own, string? everyone)
        {
            Assert.Equal(Value(caller, round), own);
            Assert.Matches(@"^caller (\d+) round \d+ x*$", everyone);
            var writer = int.Parse(everyone!.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(writer * 50, everyone.Count(c => c == 'x'));
        }

        var asyncCallers = Enumerable.Range(0, AsyncCallers).Select(caller => Task.Run(async () =>
        {
            for (var round = 0; round < Rounds; round++)
            {
                await test.Cache.SetAsync($"own-{caller}", Value(caller, round), NoExpiry);
                await test.Cache.SetAsync("everyone", Value(caller, round), NoExpiry);
                Check(caller, round, await test.Cache.GetAsync($"own-{caller}"), await test.Cache.GetStringAsync("everyone"));
            }
        }));
        var syncCallers = Enumerable.Range(AsyncCallers, SyncCallers).Select(caller => OnOwnThread(() =>
        {
            for (var round = 0; round < Rounds; round++)
            {
                test.Cache.Set($"own-{caller}", Value(caller, round), NoExpiry);
                test.Cache.Set("everyone", Value(caller, round), NoExpiry);
                Check(caller, round, test.Cache.Get($"own-{caller}"), test.Cache.GetString("everyone"));
            }
        }));

        try
        {
            await Task.WhenAll(asyncCallers.Concat(syncCallers).ToArray());
        }
        catch (Exception exception)
        {
            throw new Xunit.Sdk.XunitException($"{exception.Message}\nLogs:\n{string.Join("\n", test.Logs.Entries.Select(e => e.Message))}");
        }
        Assert.True(test.Redis.IsAvailable);
        Assert.Empty(test.Logs.Entries);

        static byte[] Value(int caller, int round) => Bytes.Of($"caller {caller} round {round} " + new string('x', caller * 50));
    }

    private static Task OnOwnThread(Action work)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() =>
        {
            try
            {
                work();
                done.SetResult();
            }
            catch (Exception exception)
            {
                done.SetException(exception);
            }
        }) { IsBackground = true }.Start();
        return done.Task;
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
