using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Tongxin.Host.Caching;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Caching;

/// <summary>One redis-server shared by the tests of <see cref="RedisCacheTests"/>; each test has its own key prefix.</summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    public RedisServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await RedisServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>The host's Redis cache with Redis up: what the host stores, it reads back, until it expires or is removed.</summary>
public sealed class RedisCacheTests(RedisServerFixture fixture) : IClassFixture<RedisServerFixture>
{
    private static readonly DistributedCacheEntryOptions NoExpiry = new();
    private readonly RedisServer _server = fixture.Server;

    [Fact]
    public async Task WhatIsSetIsReadBackSyncAndAsync()
    {
        using var test = new RedisCacheUnderTest(_server.Configuration);
        await test.WarmUpAsync();
        var downs = test.Downs;
        var binary = new byte[] { 0, 1, 0, 13, 10, 255, 0, (byte)'$', (byte)'*', 0 };

        test.Cache.Set("binary", binary, NoExpiry);
        await test.Cache.SetAsync("text", Encoding.UTF8.GetBytes("童心 ok"), NoExpiry);
        await test.Cache.SetAsync("empty", [], NoExpiry);

        Assert.Equal(binary, test.Cache.Get("binary"));
        Assert.Equal(binary, await test.Cache.GetAsync("binary"));
        Assert.Equal("童心 ok", await test.Cache.GetStringAsync("text"));
        Assert.Equal(Array.Empty<byte>(), await test.Cache.GetAsync("empty")); // an empty value is a hit, not a miss
        Assert.True(test.Redis.IsAvailable);
        Assert.Equal(downs, test.Downs);
    }

    [Fact]
    public async Task RemoveDeletesAndAMissingKeyIsAMiss()
    {
        using var test = new RedisCacheUnderTest(_server.Configuration);
        await test.WarmUpAsync();
        await test.Cache.SetStringAsync("a", "1");
        test.Cache.SetString("b", "2");

        await test.Cache.RemoveAsync("a");
        test.Cache.Remove("b");
        test.Cache.Remove("never-set");
        test.Cache.Refresh("never-set");
        await test.Cache.RefreshAsync("never-set");

        Assert.Null(await test.Cache.GetAsync("a"));
        Assert.Null(test.Cache.Get("b"));
        Assert.Null(await test.Cache.GetAsync("never-set"));
        Assert.True(test.Redis.IsAvailable);
    }

    /// <summary>Lookups expire relative to now, failed-login counts at a point in time; both must go.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AnEntryExpires(bool relativeToNow)
    {
        using var test = new RedisCacheUnderTest(_server.Configuration);
        await test.WarmUpAsync();
        // Long enough for a busy machine to read it back inside the window; a read that ends after it proves nothing.
        var window = TimeSpan.FromSeconds(2);
        var clock = Stopwatch.StartNew();
        await test.Cache.SetStringAsync("short", "v", relativeToNow
            ? new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = window }
            : new DistributedCacheEntryOptions { AbsoluteExpiration = DateTimeOffset.UtcNow + window });

        var value = await test.Cache.GetStringAsync("short");
        if (clock.Elapsed < window)
        {
            Assert.Equal("v", value);
        }
        Assert.True(await Wait.UntilAsync(async () => await test.Cache.GetAsync("short") is null, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task ArgumentErrorsAndTheCallersCancellationAreThrownNotTakenForAnOutage()
    {
        using var test = new RedisCacheUnderTest(_server.Configuration);
        await test.WarmUpAsync();
        var downs = test.Downs;
        var past = new DistributedCacheEntryOptions { AbsoluteExpiration = DateTimeOffset.UtcNow.AddSeconds(-1) };
        Assert.Throws<ArgumentOutOfRangeException>(() => test.Cache.Set("k", [1], past));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => test.Cache.SetAsync("k", [1], past));

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => test.Cache.GetAsync("k", cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => test.Cache.SetAsync("k", [1], NoExpiry, cancelled.Token));

        Assert.True(test.Redis.IsAvailable);
        Assert.Equal(downs, test.Downs);
    }

    [Fact]
    public async Task TwoInstanceNamesDoNotSeeEachOthersKeys()
    {
        using var first = new RedisCacheUnderTest(_server.Configuration);
        using var second = new RedisCacheUnderTest(_server.Configuration);
        await first.WarmUpAsync();
        await second.WarmUpAsync();

        await first.Cache.SetStringAsync("shared-name", "first");
        Assert.Null(await second.Cache.GetAsync("shared-name"));

        await second.Cache.SetStringAsync("shared-name", "second");
        await first.Cache.RemoveAsync("shared-name");
        Assert.Null(await first.Cache.GetAsync("shared-name"));
        Assert.Equal("second", await second.Cache.GetStringAsync("shared-name"));
    }

    [Fact]
    public async Task AnErrorReplyIsAMissLoggedOnceNotAnOutage()
    {
        using var test = new RedisCacheUnderTest(_server.Configuration);
        await test.WarmUpAsync();
        await using (var raw = await ConnectionMultiplexer.ConnectAsync(_server.Configuration))
        {
            // Something else put a plain string where the cache keeps a hash: Redis answers WRONGTYPE.
            await raw.GetDatabase().StringSetAsync(test.InstanceName + "foreign", "not a hash");
        }
        var downs = test.Downs;

        for (var i = 0; i < 5; i++)
        {
            Assert.Null(await test.Cache.GetAsync("foreign"));
            Assert.Null(test.Cache.Get("foreign"));
        }

        Assert.True(test.Redis.IsAvailable);
        Assert.Single(test.Logs.Messages("RedisCacheRefused"));
        Assert.Equal(downs, test.Downs);
        await test.Cache.SetStringAsync("own", "mine");
        Assert.Equal("mine", await test.Cache.GetStringAsync("own"));
    }

    [Fact]
    public void AMalformedConfigurationStopsTheCacheBeingBuiltAndTheMessageHidesThePassword()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new RedisCacheUnderTest("cache:6379,password=s3cret,nosuchoption=1"));
        Assert.Contains("nosuchoption", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("s3cret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheRegistrationReplacesTheMemoryCache()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDistributedMemoryCache();
        services.AddTongxinRedisCache(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [$"{RedisCacheSettings.Section}:Configuration"] = _server.Configuration })
            .Build());
        using var provider = services.BuildServiceProvider();
        Assert.Same(provider.GetRequiredService<OutageTolerantRedisCache>(), provider.GetRequiredService<IDistributedCache>());
    }
}
