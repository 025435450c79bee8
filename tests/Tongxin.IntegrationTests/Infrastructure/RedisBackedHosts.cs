using System.Collections.Concurrent;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tongxin.Host.Persistence;

namespace Tongxin.IntegrationTests.Infrastructure;

/// <summary>
/// Two app instances on one database and one redis-server of their own (<c>Cache:Provider=Redis</c>, lookups
/// cached), as two hosts behind a load balancer: what one host changes, the other must see at once.
/// </summary>
public sealed class RedisBackedHosts : IAsyncDisposable
{
    private RedisBackedHosts(TestDatabase database, RedisServer redis, HostUnderTest a, HostUnderTest b)
    {
        Database = database;
        Redis = redis;
        A = a;
        B = b;
    }

    public TestDatabase Database { get; }

    public RedisServer Redis { get; }

    public HostUnderTest A { get; }

    public HostUnderTest B { get; }

    public static async Task<RedisBackedHosts> StartAsync(DatabaseProvider provider)
    {
        var redis = await RedisServer.StartAsync();
        var database = await TestDatabase.CreateAsync(provider);
        // One key prefix for both hosts (they share the cache), another for every pair of hosts.
        var instance = $"tongxin-test-{Guid.NewGuid():N}:";
        var a = HostUnderTest.Start(database, redis, instance);
        var b = HostUnderTest.Start(database, redis, instance);
        return new RedisBackedHosts(database, redis, a, b);
    }

    public async ValueTask DisposeAsync()
    {
        await A.Factory.DisposeAsync();
        await B.Factory.DisposeAsync();
        await Redis.DisposeAsync();
        await Database.DisposeAsync();
    }
}

/// <summary>One in-process host of a <see cref="RedisBackedHosts"/> pair, with its log lines kept for assertions.</summary>
public sealed class HostUnderTest : IApiHost
{
    private HostUnderTest(WebApplicationFactory<Program> factory, HostLogs logs)
    {
        Factory = factory;
        Logs = logs;
    }

    public WebApplicationFactory<Program> Factory { get; }

    public HostLogs Logs { get; }

    public static HostUnderTest Start(TestDatabase database, RedisServer redis, string instanceName)
    {
        var logs = new HostLogs();
        var factory = TongxinApp.CreateFactory(database, new Dictionary<string, string?>
        {
            ["Cache:Provider"] = "Redis",
            ["Cache:Redis:Configuration"] = redis.Configuration,
            ["Cache:Redis:InstanceName"] = instanceName,
            // Generous timeouts: on a busy 2-core machine a slow reply must not pass for an outage (the subject
            // here is what the host answers, not how fast it notices). A killed server refuses at once anyway.
            ["Cache:Redis:ConnectTimeout"] = "00:00:03",
            ["Cache:Redis:CommandTimeout"] = "00:00:03",
            // Short back-off, so a test sees the host use Redis again soon after it is back.
            ["Cache:Redis:RetryAfter"] = "00:00:00.500",
            ["Matching:AutoRun"] = "false",
        }, services: services => services.AddSingleton<ILoggerProvider>(logs));
        _ = factory.Server;
        return new HostUnderTest(factory, logs);
    }

    public async Task<Api> LoginAsync(string userName, string password)
    {
        var api = new Api(Factory.CreateClient());
        await api.LoginAsync(userName, password);
        return api;
    }

    public Task<Api> AdminAsync() => LoginAsync(TongxinApp.AdminUserName, TongxinApp.AdminPassword);

    public T Service<T>() where T : notnull => Factory.Services.GetRequiredService<T>();
}

/// <summary>Every log line a host (or a cache built on its own) writes, by event name, with its exception's text.</summary>
public sealed class HostLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<(string EventName, string Message)> _entries = new();

    public int Count(string eventName) => _entries.Count(e => e.EventName == eventName);

    public IReadOnlyList<string> Messages(string eventName) => _entries.Where(e => e.EventName == eventName).Select(e => e.Message).ToList();

    public IEnumerable<string> All => _entries.Select(e => $"{e.EventName}: {e.Message}");

    public ILogger CreateLogger(string categoryName) => new Collector(this);

    public void Dispose()
    {
    }

    private sealed class Collector(HostLogs owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Name is { } name)
            {
                owner._entries.Enqueue((name, formatter(state, exception) + (exception is null ? "" : "\n" + exception)));
            }
        }
    }
}
