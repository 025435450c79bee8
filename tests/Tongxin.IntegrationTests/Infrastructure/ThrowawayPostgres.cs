using System.Diagnostics;
using Npgsql;
using Tongxin.Host.Persistence;

namespace Tongxin.IntegrationTests.Infrastructure;

/// <summary>
/// A PostgreSQL server of a fault test's own: <c>initdb</c> into a temp folder, <c>pg_ctl</c> on a free
/// loopback port, one role and one database. The test may stop it (as a crash or an operator would) and
/// start it again; the shared server that every other test class uses is never touched. Removed on dispose.
/// </summary>
/// <remarks>
/// Nothing here is skipped: without the server binaries (Debian's <c>postgresql</c>, which
/// tests/ensure-postgres.sh installs) the test fails and says so. As root the binaries run as the
/// <c>postgres</c> OS user, because initdb and postgres refuse to run as root.
/// </remarks>
public sealed class ThrowawayPostgres : IAsyncDisposable
{
    public const string Role = "tongxin";
    public const string Database = "tongxin";

    // The superuser's password only sets up the role; the host signs in as Role, by password (scram), as in production.
    private const string SuperuserPassword = "throwaway-superuser";
    private const string RolePassword = "tongxin-fault";

    private readonly string _bin;
    private readonly string _folder;
    private bool _running;

    private ThrowawayPostgres(string bin, string folder, int port)
    {
        _bin = bin;
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    private string DataFolder => Path.Combine(_folder, "data");

    private string LogFile => Path.Combine(_folder, "server.log");

    /// <summary>What the host is given: the role's password over TCP, pooled like <see cref="PostgresTestDatabase"/>.</summary>
    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = Role,
        Password = RolePassword,
        Database = Database,
        MaxPoolSize = 30,
    }.ConnectionString;

    /// <summary>The same server as a <see cref="TestDatabase"/>, for an in-process host (<see cref="TongxinApp.CreateFactory"/>).</summary>
    public TestDatabase AsTestDatabase() => new ThrowawayDatabase(ConnectionString);

    public static async Task<ThrowawayPostgres> CreateAsync()
    {
        var bin = FindServerBinaries();
        var folder = Directory.CreateTempSubdirectory("tongxin-pg-").FullName;
        var server = new ThrowawayPostgres(bin, folder, HostProcess.FreePort());
        try
        {
            var passwordFile = Path.Combine(folder, "superuser.pw");
            await File.WriteAllTextAsync(passwordFile, SuperuserPassword);
            if (IsRoot)
            {
                await RunAsync("chown", ["-R", "postgres:postgres", folder]);
            }
            // --no-sync only skips flushing initdb's own files; the server itself keeps fsync on, which is what
            // "no acknowledged write lost" after an immediate stop relies on.
            await server.RunServerToolAsync("initdb",
                ["-D", server.DataFolder, "-U", "postgres", "--pwfile", passwordFile, "--auth-local=trust", "--auth-host=scram-sha-256",
                 "-E", "UTF8", "--no-locale", "--no-sync"]);
            await server.StartAsync();
            var superuser = new NpgsqlConnectionStringBuilder
            {
                Host = "127.0.0.1", Port = server.Port, Username = "postgres", Password = SuperuserPassword, Database = "postgres", Pooling = false,
            }.ConnectionString;
            await using var connection = new NpgsqlConnection(superuser);
            await connection.OpenAsync();
            foreach (var sql in new[]
            {
                $"CREATE ROLE {Role} LOGIN PASSWORD '{RolePassword}'",
                $"CREATE DATABASE {Database} OWNER {Role}",
            })
            {
                await using var command = new NpgsqlCommand(sql, connection);
                await command.ExecuteNonQueryAsync();
            }
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async Task StartAsync()
    {
        // -w: returns once the server accepts connections. The socket folder is ours, not /var/run/postgresql.
        await RunServerToolAsync("pg_ctl",
            ["-D", DataFolder, "-l", LogFile, "-w", "-t", "60", "-o", $"-p {Port} -k {_folder} -c listen_addresses=127.0.0.1", "start"]);
        _running = true;
    }

    /// <summary>
    /// <c>immediate</c> is the harsh case: every backend quits at once, nothing is flushed beyond what commits
    /// already made durable, and the next start runs crash recovery. <c>fast</c> is an operator's clean stop.
    /// </summary>
    public async Task StopAsync(string mode = "immediate")
    {
        await RunServerToolAsync("pg_ctl", ["-D", DataFolder, "-m", mode, "-w", "-t", "60", "stop"]);
        _running = false;
    }

    public string ServerLog => File.Exists(LogFile) ? File.ReadAllText(LogFile) : "";

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_running)
        {
            try
            {
                await StopAsync();
            }
            catch (InvalidOperationException)
            {
                // Already gone: the folder goes below all the same.
            }
        }
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held: the OS cleans temp folders.
        }
    }

    private static bool IsRoot => Environment.UserName == "root";

    /// <summary>The newest installed server version's bin folder (<c>TONGXIN_PG_BIN</c> overrides).</summary>
    private static string FindServerBinaries()
    {
        var configured = Environment.GetEnvironmentVariable("TONGXIN_PG_BIN");
        var candidates = configured is not null
            ? [configured]
            : Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql")
                    .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var version) ? version : 0)
                    .Select(d => Path.Combine(d, "bin"))
                    .ToArray()
                : [];
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
            ?? throw new InvalidOperationException(
                "The PostgreSQL fault tests start a server of their own and need its binaries (initdb, pg_ctl), looked for under " +
                (configured ?? "/usr/lib/postgresql/<version>/bin") +
                ". Install them with tests/ensure-postgres.sh (Debian's postgresql package), or set TONGXIN_PG_BIN to their folder.");
    }

    private Task RunServerToolAsync(string tool, IEnumerable<string> arguments) =>
        IsRoot
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. arguments], _folder, LogFile)
            : RunAsync(Path.Combine(_bin, tool), arguments, _folder, LogFile);

    private static async Task RunAsync(string file, IEnumerable<string> arguments, string? workingFolder = null, string? logFile = null)
    {
        // The server's tools run in the server's folder: the postgres user may not be allowed into the test's.
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingFolder ?? "",
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        // pg_ctl hands the server's output to its log file (-l), so these pipes close when pg_ctl ends.
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{file} {string.Join(' ', start.ArgumentList)} did not finish in 90 s.");
        }
        if (process.ExitCode != 0)
        {
            var log = logFile is not null && File.Exists(logFile) ? File.ReadAllText(logFile) : "";
            throw new InvalidOperationException(
                $"{file} {string.Join(' ', start.ArgumentList)} exited with {process.ExitCode}:\n{await output}\n{await error}\n{log[^Math.Min(4000, log.Length)..]}");
        }
    }

    private sealed class ThrowawayDatabase(string connectionString) : TestDatabase
    {
        public override DatabaseProvider Provider => DatabaseProvider.PostgreSQL;

        public override string ConnectionString => connectionString;

        // The server owns the data; ThrowawayPostgres.DisposeAsync removes it all.
        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
