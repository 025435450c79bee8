using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tongxin.Caching.Redis.Tests;

/// <summary>One server shared by the tests of a class (each test uses its own InstanceName).</summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    public RedisServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await RedisServer.StartAsync();
        // Compile the cache's code paths once with generous timeouts, so that on a busy machine the first
        // test does not pay for the JIT inside its 1 s command timeout.
        using var warm = new TestCache(Server.Configuration, options => options.CommandTimeout = options.ConnectTimeout = TimeSpan.FromSeconds(10));
        await TestCache.WarmUpAsync(warm);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>Collects log entries for assertions.</summary>
public sealed class LogCollector : ILoggerProvider
{
    public ConcurrentQueue<(string Category, LogLevel Level, EventId EventId, string Message)> Entries { get; } = new();

    public IReadOnlyList<string> Messages(string eventName) =>
        Entries.Where(entry => entry.EventId.Name == eventName).Select(entry => entry.Message).ToList();

    public ILogger CreateLogger(string categoryName) => new Collector(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Collector(LogCollector owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue((category, logLevel, eventId, formatter(state, exception) + (exception is null ? "" : "\n" + exception)));
    }
}

/// <summary>A cache built the way the host builds it: through <c>AddTongxinRedisCache</c>.</summary>
public sealed class TestCache : IDisposable
{
    private readonly ServiceProvider _services;

    public TestCache(string configuration, Action<RedisCacheOptions>? configure = null, LogCollector? logs = null)
    {
        Logs = logs ?? new LogCollector();
        InstanceName = $"test-{Guid.NewGuid():N}:";
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        services.AddTongxinRedisCache(options =>
        {
            options.Configuration = configuration;
            options.InstanceName = InstanceName;
            configure?.Invoke(options);
        });
        _services = services.BuildServiceProvider(validateScopes: true);
        Cache = _services.GetRequiredService<IDistributedCache>();
        Redis = _services.GetRequiredService<RedisDistributedCache>();
    }

    public IDistributedCache Cache { get; }

    public RedisDistributedCache Redis { get; }

    public LogCollector Logs { get; }

    public string InstanceName { get; set; }

    public void Dispose() => _services.Dispose();

    /// <summary>
    /// Writes and reads back through both code paths until it works (at most 10 s), so a test's own
    /// outage starts from a cache that is up and warm. Returns the number of "down" and "up" log lines
    /// so far, which a busy machine can make non-zero: tests count from there.
    /// </summary>
    public static async Task<(int Down, int Up)> WarmUpAsync(TestCache test)
    {
        var ok = await Wait.UntilAsync(async () =>
        {
            await test.Cache.SetStringAsync("warm-up", "async");
            test.Cache.SetString("warm-up-sync", "sync");
            return await test.Cache.GetStringAsync("warm-up") == "async" && test.Cache.GetString("warm-up-sync") == "sync" && test.Redis.IsAvailable;
        }, TimeSpan.FromSeconds(10), everyMs: 100);
        Assert.True(ok, "the cache never worked against a fresh server:\n" + string.Join("\n", test.Logs.Entries.Select(e => e.Message)));
        return (test.Logs.Messages("RedisCacheDown").Count, test.Logs.Messages("RedisCacheUp").Count);
    }
}

public static class Wait
{
    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="limit"/> passes.</summary>
    public static async Task<bool> UntilAsync(Func<Task<bool>> condition, TimeSpan limit, int everyMs = 25)
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

public static class Bytes
{
    public static byte[] Of(string text) => Encoding.UTF8.GetBytes(text);

    public static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}

public static class Raw
{
    /// <summary>A client of our own to look at what the cache stored (EXISTS and PTTL do not refresh anything).</summary>
    public static RedisClient Client(RedisServer server, string options = "") =>
        new(new RedisClientSettings(RedisEndpoint.Parse(server.Configuration + options), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), PoolSize: 2));
}
