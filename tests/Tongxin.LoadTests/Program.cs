using System.Globalization;
using Tongxin.IntegrationTests.Infrastructure;

namespace Tongxin.LoadTests;

/// <summary>The harnesses' entry point (a named class: the host's own <c>Program</c> is referenced).</summary>
internal static class LoadTool
{
    /// <summary>The first administrator of every host a harness starts (<c>Bootstrap__AdminUserName</c>/<c>Password</c>).</summary>
    public const string Admin = "load-admin";
    public const string AdminPassword = "Load#Admin#2026";

    public static async Task<int> Main(string[] args)
    {
        // Usage: dotnet run -c Release --project tests/Tongxin.LoadTests -- import [rows] [sqlite|postgres]
        //        dotnet run -c Release --project tests/Tongxin.LoadTests -- roster [rows] [sqlite|postgres]
        //            the county's roster of children (dry run, import, the same sheet again, one row in ten changed) against
        //            its floor (the same sheet read by SheetReader and its rows inserted in one transaction), 3 rounds A B A B
        //        dotnet run -c Release --project tests/Tongxin.LoadTests -- day [scale] [sqlite|postgres]
        //        dotnet run -c Release --project tests/Tongxin.LoadTests -- lookups [requests] [sqlite|postgres] [memory|redis]
        //        dotnet run -c Release --project tests/Tongxin.LoadTests -- targets [scale] [sqlite|postgres]   (only the two routes with targets)
        //        dotnet run -c Release --project tests/Tongxin.LoadTests -- targets-floor [rounds] [sqlite|postgres]
        //            reading a file through the host against a floor: a bare endpoint (own process, Kestrel, ADO.NET) making one
        //            primary-key SELECT and one audit INSERT on the same database; A B A B, saturation and p99 at 5,000/s, ratios
        //        [TONGXIN_BASELINE_HOST=<an earlier build's Tongxin.Host.dll>] dotnet run -c Release --project tests/Tongxin.LoadTests -- notify [rounds] [sqlite|postgres]
        //            request help and accept with notifications written and sent by SMS to a loopback gateway, beside the
        //            earlier build (A B A B, fresh databases); and the time from each notification's commit to its SMS
        //        dotnet run -c Release --project tests/Tongxin.LoadTests -- notify-outage 0 [sqlite|postgres]
        //            the SMS gateway down for a minute while offers are made and accepted: all delivered after, none twice
        //        dotnet run -c Release --project tests/Tongxin.LoadTests -- demo-county [rounds] [sqlite|postgres]
        //            the host process started with --demo=county: seeding (its log) against the same rows inserted bare (ADO.NET,
        //            COPY on PostgreSQL), and the first matching batch against reading its inputs and inserting its offers bare
        //        dotnet run -c Release --project tests/Tongxin.LoadTests -- audit [rows] [sqlite|postgres] [writers]   (in process)
        //        dotnet run -c Release --project tests/Tongxin.LoadTests -- grains [count]   (memory per idle child grain; in process, no HTTP)
        //        DOTNET_gcServer=1 dotnet run -c Release --project tests/Tongxin.LoadTests -- grain-calls [seconds] [callers] [children]
        //            in-process calls a second to the child grain and to a constant grain (the peer); server GC as the host runs
        //        dotnet run -c Release --project tests/Tongxin.LoadTests -- failover [trials]
        //            redis-server, PostgreSQL and three hosts in one cluster; kill -9 the host of a child's grain, time until
        //            it answers on another, and count the answers meanwhile (503 + Retry-After expected)
        // The commands with a database start the built host (Release) on a loopback port with a fresh database, set up
        // a synthetic county through the API, run the harness, and stop the host. Loopback only; bounded in count and time.
        // A fourth argument "redis" starts a redis-server of its own and runs the host with Cache__Provider=Redis.
        var command = args.ElementAtOrDefault(0) ?? "import";
        var database = args.ElementAtOrDefault(2) ?? "sqlite";
        switch (command)
        {
            case "grains":
                return await GrainMemory.RunAsync(Number(args, 1, 100_000));
            case "grain-calls":
                return await GrainCalls.RunAsync(TimeSpan.FromSeconds(Number(args, 1, 10)), Number(args, 2, 128), Number(args, 3, 5_000));
            case "failover":
                return await Failover.RunAsync(Number(args, 1, 5));
            case BareFileRead.Command:
                // Started by targets-floor as a process of its own, not by hand.
                return await BareFileRead.ServeAsync(args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture));
            case "notify":
                return await NotifyBenchmark.RunAsync(database, Number(args, 1, 3));
            case "notify-outage":
                return await NotifyBenchmark.RunOutageAsync(database);
            case "demo-county":
                return await DemoCountySeed.RunAsync(database, Number(args, 1, 2));
            case "audit":
            {
                await using var scratch = database == "postgres" ? ScratchPostgres.New("tongxin_audit") : null;
                return await AuditThroughput.RunAsync(Number(args, 1, 100_000), Number(args, 3, 64), scratch?.ConnectionString);
            }
        }

        var work = Directory.CreateTempSubdirectory("tongxin-load-").FullName;
        var environment = new Dictionary<string, string>
        {
            ["Bootstrap__AdminUserName"] = Admin,
            ["Bootstrap__AdminPassword"] = AdminPassword,
            ["Logging__LogLevel__Default"] = "Warning",
            // A harness is one user sending thousands of lists a minute: lift the per-user limit for it.
            ["RateLimits__ListsPerMinute"] = "100000000",
        };
        await using var postgres = database == "postgres" ? ScratchPostgres.New("tongxin_load") : null;
        if (postgres is not null)
        {
            environment["Database__Provider"] = "PostgreSQL";
            environment["Database__ConnectionString"] = postgres.ConnectionString;
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
            var scale = Number(args, 1, 1);
            // The database the host made: its SQLite file under its working folder, or the PostgreSQL database.
            var hostDatabase = postgres?.ConnectionString ?? $"Data Source={Path.Combine(work, "data", "tongxin.db")}";
            exit = command switch
            {
                "roster" => await RosterBenchmark.RunAsync(host.Address, database, hostDatabase, Number(args, 1, 10_000), rounds: 3),
                "import" => await ImportBenchmark.RunAsync(host.Address, Admin, AdminPassword, Number(args, 1, 100_000)),
                "day" => await CountyDay.RunAsync(host.Address, Admin, AdminPassword, scale, database, onlyTargets: false),
                "targets" => await CountyDay.RunAsync(host.Address, Admin, AdminPassword, scale, database, onlyTargets: true),
                "targets-floor" => await FileReadFloor.RunAsync(host, database, hostDatabase, rounds: Number(args, 1, 2)),
                "lookups" => await Lookups.RunAsync(host.Address, Admin, AdminPassword, Number(args, 1, 10_000)),
                _ => throw new ArgumentException($"Unknown command {command}: use import, roster, day, targets, targets-floor, lookups, audit, grains, grain-calls or failover."),
            };
        }
        finally
        {
            await host.DisposeAsync();
        }
        Console.WriteLine($"database: {database}, cache: {(redis is null ? "memory" : "redis")}");
        return exit;
    }

    private static int Number(string[] args, int index, int fallback) =>
        args.ElementAtOrDefault(index) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
}
