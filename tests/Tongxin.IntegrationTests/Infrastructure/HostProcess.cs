using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tongxin.IntegrationTests.Infrastructure;

// Also compiled into tests/Tongxin.LoadTests (linked, not copied): keep it free of xunit.

/// <summary>
/// The built host run as a real process (<c>dotnet Tongxin.Host.dll</c>), the way the README runs it:
/// its own working folder (so <c>data/</c> lands there), a loopback port, command-line settings.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private HostProcess(Process process, string workingFolder, Uri address)
    {
        _process = process;
        WorkingFolder = workingFolder;
        Address = address;
    }

    public string WorkingFolder { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The operating system's id of the host process (the load harness reads its CPU time).</summary>
    public int ProcessId => _process.Id;
    public Uri Address { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static string RepositoryRoot
    {
        get
        {
            var folder = new DirectoryInfo(AppContext.BaseDirectory);
            while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Services.sln")))
            {
                folder = folder.Parent;
            }
            return folder?.FullName ?? throw new InvalidOperationException("Services.sln not found above the test folder.");
        }
    }

    /// <summary>Debug or Release: whichever the tests were built with.</summary>
    public static string Configuration => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    public static string HostAssembly => Path.Combine(RepositoryRoot, "host", "Tongxin.Host", "bin", Configuration, "net10.0", "Tongxin.Host.dll");

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts the host; <paramref name="arguments"/> are passed as on a command line.</summary>
    public static HostProcess Start(string workingFolder, params string[] arguments) => Start(workingFolder, new Dictionary<string, string>(), arguments);

    /// <summary>Starts the host with extra environment variables (settings as <c>Section__Key</c>).</summary>
    public static HostProcess Start(string workingFolder, IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        StartBuild(HostAssembly, workingFolder, environment, arguments);

    /// <summary>Starts another build of the host (the load harness compares with an earlier commit's).</summary>
    public static HostProcess StartBuild(string hostAssembly, string workingFolder, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(hostAssembly);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(address.ToString());
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        var process = Process.Start(start)!;
        var host = new HostProcess(process, workingFolder, address);
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    /// <summary>Waits until /health answers 200; false when the process exits first or time runs out.</summary>
    public async Task<bool> WaitUntilHealthyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !_process.HasExited)
        {
            try
            {
                if ((await http.GetAsync("/health")).StatusCode == HttpStatusCode.OK)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(200);
        }
        return false;
    }

    /// <summary>Waits for the process to end by itself; its exit code, or null if it is still running.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            _process.WaitForExit(); // drains the output readers
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>
    /// SIGTERM, as systemd or <c>docker stop</c> sends it: the host drains its requests and stops its services, then
    /// exits. Its exit code, or null if it was still running after <paramref name="timeout"/>.
    /// </summary>
    public async Task<int?> StopAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
        }
        return await WaitForExitAsync(timeout);
    }

    /// <summary>kill -9: no shutdown, no flushing; what a crashed machine does.</summary>
    public void KillHard()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
