using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Tongxin.IntegrationTests.Infrastructure;

// Also compiled into tests/Tongxin.LoadTests (linked, not copied): keep it free of xunit.

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
