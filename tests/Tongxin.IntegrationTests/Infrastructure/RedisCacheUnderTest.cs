using System.Diagnostics;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tongxin.Host.Caching;
using Xunit;

namespace Tongxin.IntegrationTests.Infrastructure;

/// <summary>
/// The Redis cache built the way the host builds it (<c>AddTongxinRedisCache</c> on <c>Cache:Redis:*</c> settings), without
/// a host: each one with its own key prefix, so tests can share a server.
/// </summary>
public sealed class RedisCacheUnderTest : IDisposable
{
    private readonly ServiceProvider _services;

    /// <param name="configuration"><c>Cache:Redis:Configuration</c>.</param>
    /// <param name="settings">More <c>Cache:Redis:*</c> settings, by their name under that section.</param>
    public RedisCacheUnderTest(string configuration, IReadOnlyDictionary<string, string>? settings = null)
    {
        InstanceName = $"test-{Guid.NewGuid():N}:";
        var values = new Dictionary<string, string?>
        {
            [$"{RedisCacheSettings.Section}:Configuration"] = configuration,
            [$"{RedisCacheSettings.Section}:InstanceName"] = InstanceName,
        };
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            values[$"{RedisCacheSettings.Section}:{name}"] = value;
        }
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(Logs));
        services.AddTongxinRedisCache(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        _services = services.BuildServiceProvider(validateScopes: true);
        Cache = _services.GetRequiredService<IDistributedCache>();
        Redis = _services.GetRequiredService<OutageTolerantRedisCache>();
    }

    public IDistributedCache Cache { get; }

    public OutageTolerantRedisCache Redis { get; }

    public HostLogs Logs { get; } = new();

    public string InstanceName { get; }

    public int Downs => Logs.Count("RedisCacheDown");

    public int Ups => Logs.Count("RedisCacheUp");

    public void Dispose() => _services.Dispose();

    /// <summary>
    /// Writes and reads back through both the sync and the async path until it works (at most 10 s), so a test's own
    /// outage starts from a cache that is connected and warm: on a busy machine the first calls (connect, JIT) can
    /// outlast a 500 ms timeout, which is a miss, not an error, and a "down" line tests must count from.
    /// </summary>
    public async Task WarmUpAsync()
    {
        var ok = await Wait.UntilAsync(async () =>
        {
            await Cache.SetStringAsync("warm-up", "async");
            Cache.SetString("warm-up-sync", "sync");
            return await Cache.GetStringAsync("warm-up") == "async" && Cache.GetString("warm-up-sync") == "sync" && Redis.IsAvailable;
        }, TimeSpan.FromSeconds(10));
        Assert.True(ok, "the cache never worked against a running server:\n" + string.Join("\n", Logs.All));
    }
}

public static class Wait
{
    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="limit"/> passes.</summary>
    public static async Task<bool> UntilAsync(Func<Task<bool>> condition, TimeSpan limit, int everyMs = 50)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            if (await condition())
            {
                return true;
            }
            await Task.Delay(everyMs);
        }
        return await condition();
    }
}
