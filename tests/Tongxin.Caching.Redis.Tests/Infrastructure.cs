using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tongxin.Caching.Redis.Tests;

/// <summary>
/// A redis-server process of our own on a free loopback port, with no persistence. Tests can kill it,
/// pause it (SIGSTOP) and start it again on the same port to simulate outages.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string[] _extraArguments;
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;

    private RedisServer(int port, string[] extraArguments)
    {
        Port = port;
        _extraArguments = extraArguments;
    }

    public int Port { get; }

    public string Configuration => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync(params string[] extraArguments)
    {
        var server = new RedisServer(FreePort(), extraArguments);
        await server.StartAsync();
        return server;
    }

    /// <summary>A loopback port nobody listens on right now.</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Starts (or restarts) the server on <see cref="Port"/> and waits until it answers.</summary>
    public async Task StartAsync()
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException("Already running.");
        }
        var start = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1", "--daemonize", "no" }.Concat(_extraArguments))
        {
            start.ArgumentList.Add(argument);
        }
        try
        {
            _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException("redis-server is not installed: run `bash tests/ensure-redis.sh` first.", exception);
        }
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (_process.HasExited)
            {
                break;
            }
            if (await AnswersAsync())
            {
                return;
            }
            await Task.Delay(20);
        }
        throw new InvalidOperationException($"redis-server on port {Port} did not come up:\n{string.Join('\n', _output)}");
    }

    /// <summary>SIGKILL: the server is gone at once, its connections reset.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit();
        }
    }

    /// <summary>SIGSTOP: the port still accepts connections (the kernel does that) but nothing answers.</summary>
    public void Pause() => Signal("-STOP");

    /// <summary>SIGCONT after <see cref="Pause"/>.</summary>
    public void Resume() => Signal("-CONT");

    private void Signal(string signal)
    {
        using var kill = Process.Start("kill", [signal, _process!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    private async Task<bool> AnswersAsync()
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await client.ConnectAsync(IPAddress.Loopback, Port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, timeout.Token);
            return read > 0; // +PONG, or -NOAUTH when a password is required: either way it is serving
        }
        catch (Exception exception) when (exception is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        _output.Enqueue(line);
        while (_output.Count > 50 && _output.TryDequeue(out _))
        {
        }
    }

    public ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            try
            {
                Resume(); // a paused server would otherwise take the SIGKILL only after SIGCONT on some systems
            }
            catch (InvalidOperationException)
            {
            }
            Kill();
            _process.Dispose();
        }
        return ValueTask.CompletedTask;
    }
}

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
