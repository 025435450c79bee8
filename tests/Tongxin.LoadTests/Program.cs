using Tongxin.IntegrationTests.Infrastructure;

namespace Tongxin.LoadTests;

/// <summary>The harnesses' entry point (a named class: the host's own <c>Program</c> is referenced).</summary>
internal static class LoadTool
{
    public static async Task<int> Main(string[] args)
    {
        // Usage: dotnet run -c Release --project tests/Tongxin.LoadTests -- import [rows] [sqlite|postgres]
        //        dotnet run -c Release --project tests/Tongxin.LoadTests -- day [scale] [sqlite|postgres]
        //        dotnet run -c Release --project tests/Tongxin.LoadTests -- lookups [requests] [sqlite|postgres] [memory|redis]
        //        dotnet run -c Release --project tests/Tongxin.LoadTests -- targets [scale] [sqlite|postgres]   (only the two routes with targets)
        //        dotnet run -c Release --project tests/Tongxin.LoadTests -- grains [count]   (in process, no HTTP)
        // Starts the built host (Release) on a loopback port with a fresh database, sets up a synthetic county
        // through the API, runs the harness, and stops the host. Loopback only; bounded in count and time.
        // A fourth argument "redis" starts a redis-server of its own and runs the host with Cache__Provider=Redis.
        var command = args.ElementAtOrDefault(0) ?? "import";
        if (command == "grains")
        {
            return await GrainMemory.RunAsync(int.Parse(args.ElementAtOrDefault(1) ?? "100000"));
        }
        var database = args.ElementAtOrDefault(2) ?? "sqlite";
        if (command == "audit")
        {
            // dotnet run -c Release --project tests/Tongxin.LoadTests -- audit [rows] [sqlite|postgres] [writers]
            string? postgres = null;
            var auditDatabase = $"tongxin_audit_{Guid.NewGuid().ToString("N")[..12]}";
            if (database == "postgres")
            {
                postgres = $"Host=127.0.0.1;Username=tongxin;Password=tongxin;Database={auditDatabase}";
            }
            try
            {
                return await AuditThroughput.RunAsync(int.Parse(args.ElementAtOrDefault(1) ?? "100000"), int.Parse(args.ElementAtOrDefault(3) ?? "64"), postgres);
            }
            finally
            {
                if (postgres is not null)
                {
                    Npgsql.NpgsqlConnection.ClearAllPools();
                    await DropAsync(auditDatabase);
                }
            }
        }
        const string admin = "load-admin";
        const string adminPassword = "Load#Admin#2026";

        var work = Directory.CreateTempSubdirectory("tongxin-load-").FullName;
        var environment = new Dictionary<string, string>
        {
            ["Bootstrap__AdminUserName"] = admin,
            ["Bootstrap__AdminPassword"] = adminPassword,
            ["Logging__LogLevel__Default"] = "Warning",
            // A harness is one user sending thousands of lists a minute: lift the per-user limit for it.
            ["RateLimits__ListsPerMinute"] = "100000000",
        };
        string? postgresDatabase = null;
        if (database == "postgres")
        {
            postgresDatabase = "tongxin_load_" + Guid.NewGuid().ToString("N")[..12];
            environment["Database__Provider"] = "PostgreSQL";
            environment["Database__ConnectionString"] = $"Host=127.0.0.1;Username=tongxin;Password=tongxin;Database={postgresDatabase}{Environment.GetEnvironmentVariable("TONGXIN_LOAD_PG_EXTRA")}";
        }

        await using var redis = args.ElementAtOrDefault(3) == "redis" ? await RedisServer.StartAsync() : null;
        if (redis is not null)
        {
            environment["Cache__Provider"] = "Redis";
            environment["Cache__Redis__Configuration"] = redis.Configuration;
        }

        var host = HostProcess.Start(work, environment);
        int exit;
        try
        {
            if (!await host.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60)))
            {
                Console.Error.WriteLine(host.Output);
                return 2;
            }
            Phase.HostProcessId = host.ProcessId;
            Console.WriteLine($"host process {host.ProcessId} at {host.Address}; load generator process {Environment.ProcessId}; {Environment.ProcessorCount} cores shared by both");
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
            var scale = int.Parse(args.ElementAtOrDefault(1) ?? "1");
            exit = command switch
            {
                "import" => await ImportBenchmark.RunAsync(host.Address, admin, adminPassword, int.Parse(args.ElementAtOrDefault(1) ?? "100000")),
                "day" => await CountyDay.RunAsync(host.Address, admin, adminPassword, scale, database, onlyTargets: false),
                "targets" => await CountyDay.RunAsync(host.Address, admin, adminPassword, scale, database, onlyTargets: true),
                "lookups" => await Lookups.RunAsync(host.Address, admin, adminPassword, int.Parse(args.ElementAtOrDefault(1) ?? "10000")),
                _ => throw new ArgumentException($"Unknown command {command}: use import, day, targets, lookups or grains."),
            };
        }
        finally
        {
            await host.DisposeAsync();
            if (postgresDatabase is not null)
            {
                await DropAsync(postgresDatabase);
            }
        }
        Console.WriteLine($"database: {database}, cache: {(redis is null ? "memory" : "redis")}");
        return exit;
    }

    /// <summary>A harness leaves no database behind on the shared server.</summary>
    private static async Task DropAsync(string name)
    {
        await using var connection = new Npgsql.NpgsqlConnection("Host=127.0.0.1;Username=tongxin;Password=tongxin;Database=postgres");
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
