using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;
using Tongxin.Host.Demo;
using Tongxin.Host.Persistence;
using Tongxin.Host.Security;
using Tongxin.IntegrationTests.Infrastructure;

namespace Tongxin.LoadTests;

/// <summary>
/// <c>demo-county</c>: the full demo county (<c>--demo=county</c>) as the real host process seeds it, and the first
/// matching batch on it, each beside a floor measured in the same round:
/// <list type="bullet">
/// <item>seeding (the host's own log: rows made, then inserted with EF Core in one transaction) against the same rows,
/// made the same way, inserted with bare ADO.NET into an empty database of the same schema: one prepared INSERT per
/// table in one transaction on SQLite, binary COPY on PostgreSQL;</item>
/// <item>the first batch (<c>POST /api/matching/run</c> as civil affairs, every line; matching's automatic run is off so this
/// is the first) against reading what a batch reads (the county's open needs with their children, its providers, the
/// pending offers) with bare SELECTs and inserting as many offer rows as the batch made, in one transaction.</item>
/// </list>
/// Rounds alternate host and floor (A B A B) so drift on this shared machine falls on both.
/// </summary>
internal static partial class DemoCountySeed
{
    public static async Task<int> RunAsync(string database, int rounds)
    {
        var results = new List<Round>();
        for (var round = 1; round <= rounds; round++)
        {
            var host = await HostRoundAsync(database);
            var floor = await SeedFloorAsync(database);
            results.Add(host with { FloorSeconds = floor.Seconds, FloorRows = floor.Rows });
            Console.WriteLine($"round {round}: {results[^1]}");
        }
        Console.WriteLine();
        Console.WriteLine($"demo county ({database}), {rounds} rounds, {Environment.ProcessorCount} cores shared with other work");
        Console.WriteLine($"{"",-40} {"ours",9} {"floor",9} {"ratio",7}");
        foreach (var r in results)
        {
            Console.WriteLine($"{"seed, total (made + inserted)",-40} {r.SeedSeconds,8:F1}s {r.FloorSeconds,8:F1}s {r.SeedSeconds / r.FloorSeconds,6:F1}×   {r.Rows} rows (floor {r.FloorRows})");
            Console.WriteLine($"{"seed, EF insert only",-40} {r.InsertSeconds,8:F1}s {r.FloorSeconds,8:F1}s {r.InsertSeconds / r.FloorSeconds,6:F1}×   made in {r.BuildSeconds:F1}s");
            Console.WriteLine($"{"host start to healthy (migrate, seed, sweeps)",-40} {r.StartSeconds,8:F1}s");
            Console.WriteLine($"{"first matching batch, 4 lines",-40} {r.BatchSeconds,8:F2}s {r.BatchFloorSeconds,8:F2}s {r.BatchSeconds / r.BatchFloorSeconds,6:F1}×   {r.Batch}");
        }
        return 0;
    }

    private sealed record Round(int Rows, double SeedSeconds, double BuildSeconds, double InsertSeconds, double StartSeconds, double BatchSeconds,
        double BatchFloorSeconds, string Batch)
    {
        public double FloorSeconds { get; init; }
        public int FloorRows { get; init; }
    }

    [GeneratedRegex(@"Full demo county seeded: (\d+) rows .* in ([\d.]+) s \(made in ([\d.]+) s, inserted in ([\d.]+) s\)")]
    private static partial Regex SeededLine();

    private static async Task<Round> HostRoundAsync(string database)
    {
        var work = Directory.CreateTempSubdirectory("tongxin-demo-county-").FullName;
        await using var postgres = database == "postgres" ? ScratchPostgres.New("tongxin_demo") : null;
        var environment = new Dictionary<string, string>
        {
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Tongxin.Startup"] = "Information",
            // The first batch is the one this harness asks for.
            ["Matching__AutoRun"] = "false",
            ["RateLimits__ListsPerMinute"] = "100000000",
        };
        if (postgres is not null)
        {
            environment["Database__Provider"] = "PostgreSQL";
            environment["Database__ConnectionString"] = postgres.ConnectionString;
        }
        var started = Stopwatch.StartNew();
        var host = HostProcess.Start(work, environment, "--demo=county");
        try
        {
            if (!await host.WaitUntilHealthyAsync(TimeSpan.FromMinutes(5)))
            {
                throw new InvalidOperationException(host.Output);
            }
            var startSeconds = started.Elapsed.TotalSeconds;
            var seeded = SeededLine().Match(host.Output);
            if (!seeded.Success)
            {
                throw new InvalidOperationException("The host did not log the seeding: " + host.Output);
            }
            double Seconds(int group) => double.Parse(seeded.Groups[group].Value, CultureInfo.InvariantCulture);

            var civil = await LoadClient.LoginAsync(host.Address, "civil", DemoCounty.Password);
            var batch = Stopwatch.StartNew();
            var lines = (await civil.PostAsync("/api/matching/run", new { })).AsArray();
            var batchSeconds = batch.Elapsed.TotalSeconds;
            var offers = lines.Sum(l => l!["offersMade"]!.GetValue<int>());
            var summary = string.Join(", ", lines.Select(l => $"{l!["line"]} {l["openNeeds"]} needs/{l["providers"]} providers/{l["offersMade"]} offers"));
            await host.StopAsync(TimeSpan.FromSeconds(30));

            var hostDatabase = postgres?.ConnectionString ?? $"Data Source={Path.Combine(work, "data", "tongxin-county.db")}";
            var batchFloor = await BatchFloorAsync(database, hostDatabase, offers);
            return new Round(int.Parse(seeded.Groups[1].Value, CultureInfo.InvariantCulture), Seconds(2), Seconds(3), Seconds(4), startSeconds,
                batchSeconds, batchFloor, summary);
        }
        finally
        {
            await host.DisposeAsync();
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static DbContextOptions<TongxinDbContext> Options(string database, string connectionString) => database == "postgres"
        ? new DbContextOptionsBuilder<TongxinDbContext>().UseNpgsql(connectionString).Options
        : new DbContextOptionsBuilder<TongxinDbContext>().UseSqlite(connectionString).Options;

    private static DbConnection Connection(string database, string connectionString) =>
        database == "postgres" ? new NpgsqlConnection(connectionString) : new SqliteConnection(connectionString);

    /// <summary>The same rows as the host makes (same builder), inserted bare into an empty database of the same schema.</summary>
    private static async Task<(double Seconds, int Rows)> SeedFloorAsync(string database)
    {
        var folder = Directory.CreateTempSubdirectory("tongxin-demo-floor-").FullName;
        await using var postgres = database == "postgres" ? ScratchPostgres.New("tongxin_demo_floor") : null;
        var connectionString = postgres?.ConnectionString ?? $"Data Source={Path.Combine(folder, "floor.db")}";
        await using (var context = new TongxinDbContext(Options(database, connectionString)))
        {
            await context.Database.MigrateAsync();
        }
        var model = new TongxinDbContext(Options(database, connectionString)).Model;
        var rows = FullDemoCountyRows.Build(DateTime.UtcNow, DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8)), new FieldCipher(RandomNumberGenerator.GetBytes(32)), "hash");

        await using var connection = Connection(database, connectionString);
        await connection.OpenAsync();
        if (connection is SqliteConnection)
        {
            // As the host's SQLite: write-ahead log, full sync.
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;";
            await pragma.ExecuteNonQueryAsync();
        }
        var watch = Stopwatch.StartNew();
        await InsertBareAsync(connection, model, rows.Tables);
        var seconds = watch.Elapsed.TotalSeconds;
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
        return (seconds, rows.Count);
    }

    /// <summary>
    /// What a batch reads, bare: the county's open needs joined to their children, the county's providers and the pending
    /// offers (the batch reads them per line; read once here, all lines at once); then as many offers inserted as it made.
    /// </summary>
    private static async Task<double> BatchFloorAsync(string database, string connectionString, int offers)
    {
        var model = new TongxinDbContext(Options(database, connectionString)).Model;
        await using var connection = Connection(database, connectionString);
        await connection.OpenAsync();
        var prefix = $"/{FullDemoCounty.CountyCode}/%";
        var watch = Stopwatch.StartNew();
        foreach (var sql in new[]
        {
            "SELECT n.*, c.* FROM \"Needs\" n JOIN \"Children\" c ON c.\"Id\" = n.\"ChildId\" WHERE n.\"Status\" = 'Open' AND n.\"CountyCode\" = @county",
            "SELECT * FROM \"Providers\" WHERE \"RegionPath\" LIKE @prefix",
            "SELECT \"ProviderId\", COUNT(*) FROM \"Offers\" WHERE \"Status\" = 'Pending' GROUP BY \"ProviderId\"",
        })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            if (sql.Contains("@county", StringComparison.Ordinal))
            {
                Parameter(command, "county", FullDemoCounty.CountyCode);
            }
            if (sql.Contains("@prefix", StringComparison.Ordinal))
            {
                Parameter(command, "prefix", prefix);
            }
            await using var reader = await command.ExecuteReaderAsync();
            var values = new object[reader.FieldCount];
            while (await reader.ReadAsync())
            {
                reader.GetValues(values);
            }
        }
        var now = DateTime.UtcNow;
        var made = Enumerable.Range(0, offers).Select(i => (object)new Offer
        {
            Id = Guid.NewGuid().ToString("N"), NeedId = $"floor-{i}", ProviderId = "floor", Line = "tutoring", Score = 100,
            ReasonsJson = "[{\"code\":\"tutoring.grade-fit\",\"zh\":\"年级合适\",\"en\":\"Grade fits\",\"points\":100}]",
            Status = OfferStatus.Withdrawn, CreatedAt = now, ExpiresAt = now.AddDays(7), Version = 1,
        }).ToList();
        await InsertBareAsync(connection, model, [made]);
        return watch.Elapsed.TotalSeconds;
    }

    private static void Parameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    /// <summary>Rows inserted through the EF model's mapping (table, columns, value converters) and nothing else of EF.</summary>
    private static async Task InsertBareAsync(DbConnection connection, IModel model, IEnumerable<IReadOnlyList<object>> tables)
    {
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var rows in tables.Where(t => t.Count > 0))
        {
            var entity = model.FindEntityType(rows[0].GetType())!;
            var table = entity.GetTableName()!;
            var properties = entity.GetProperties().ToList();
            var columns = properties.Select(p => p.GetColumnName()).ToList();
            object Value(IProperty property, object row)
            {
                var value = property.GetGetter().GetClrValue(row);
                var converter = property.GetTypeMapping().Converter;
                return (converter is null || value is null ? value : converter.ConvertToProvider(value)) ?? DBNull.Value;
            }
            if (connection is NpgsqlConnection npgsql)
            {
                var types = properties.Select(p => Regex.Replace(p.GetColumnType(), @"\(.*\)", "")).ToList();
                await using var importer = await npgsql.BeginBinaryImportAsync(
                    $"COPY \"{table}\" ({string.Join(", ", columns.Select(c => $"\"{c}\""))}) FROM STDIN (FORMAT BINARY)");
                foreach (var row in rows)
                {
                    await importer.StartRowAsync();
                    for (var i = 0; i < properties.Count; i++)
                    {
                        var value = Value(properties[i], row);
                        if (value is DBNull)
                        {
                            await importer.WriteNullAsync();
                        }
                        else
                        {
                            await importer.WriteAsync(value, types[i]);
                        }
                    }
                }
                await importer.CompleteAsync();
                continue;
            }
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"INSERT INTO \"{table}\" ({string.Join(", ", columns.Select(c => $"\"{c}\""))}) VALUES ({string.Join(", ", columns.Select((_, i) => $"@p{i}"))})";
            var parameters = columns.Select((_, i) =>
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = $"@p{i}";
                command.Parameters.Add(parameter);
                return parameter;
            }).ToList();
            await command.PrepareAsync();
            foreach (var row in rows)
            {
                for (var i = 0; i < properties.Count; i++)
                {
                    parameters[i].Value = Value(properties[i], row);
                }
                await command.ExecuteNonQueryAsync();
            }
        }
        await transaction.CommitAsync();
    }
}
