using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Audit;

namespace Tongxin.Host.Persistence;

public enum DatabaseProvider
{
    Sqlite,
    PostgreSQL,
}

/// <summary>
/// <c>Database:Provider</c> (Sqlite by default, or PostgreSQL) and <c>Database:ConnectionString</c>.
/// With no connection string, SQLite uses <c>data/tongxin.db</c> under the content root, created on first start.
/// </summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;
    public string? ConnectionString { get; set; }
}

public static class DatabaseSetup
{
    public static IServiceCollection AddTongxinDatabase(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var options = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var connectionString = ResolveConnectionString(options, environment.ContentRootPath);
        services.AddSingleton<AuditRowWithChange>();
        services.AddSingleton<SqliteWriteGate>();
        // A factory for grains and background work (a context per turn), and a scoped context per request. Pooled:
        // setting up a fresh context's internal services was an eighth of a file read's CPU (measured, ADR 0009).
        var target = new DatabaseTarget(options.Provider, connectionString);
        services.AddSingleton(target);
        services.AddPooledDbContextFactory<TongxinDbContext>((provider, db) =>
        {
            target.Configure(db, provider);
            // A change and its request's audit row commit in one transaction, whichever context makes the change.
            db.AddInterceptors(provider.GetRequiredService<AuditRowWithChange>());
            // EF's pending-model-changes check is on (its default: migrating fails): a model change without its migration
            // stops the host at start on either database, against the model snapshot (ADR 0002's amendment).
        });
        if (options.Provider == DatabaseProvider.Sqlite)
        {
            services.Configure<SqliteCheckpointOptions>(configuration.GetSection(DatabaseOptions.Section));
            services.AddHostedService<SqliteCheckpoints>();
        }
        services.AddSingleton<GroupInserts>();
        services.AddScoped(provider => provider.GetRequiredService<IDbContextFactory<TongxinDbContext>>().CreateDbContext());
        return services;
    }

    /// <summary>The database every context of this host uses, the host's and the modules' (<see cref="Modules.ModuleDatabases"/>).</summary>
    internal sealed record DatabaseTarget(DatabaseProvider Provider, string ConnectionString)
    {
        /// <summary>The provider and connection; on SQLite the write gate every writer of this process passes.</summary>
        public DbContextOptionsBuilder Configure(DbContextOptionsBuilder db, IServiceProvider provider, string? migrationsHistoryTable = null)
        {
            _ = Provider switch
            {
                DatabaseProvider.Sqlite => db.UseSqlite(ConnectionString, sqlite => sqlite.MigrationsHistoryTable(migrationsHistoryTable ?? "__EFMigrationsHistory"))
                    .AddInterceptors(provider.GetRequiredService<SqliteWriteGate>()),
                DatabaseProvider.PostgreSQL => db.UseNpgsql(ConnectionString, npgsql => npgsql.MigrationsHistoryTable(migrationsHistoryTable ?? "__EFMigrationsHistory")),
                _ => throw new InvalidOperationException($"Unknown Database:Provider '{Provider}'."),
            };
            return db;
        }
    }

    internal static string ResolveConnectionString(DatabaseOptions options, string contentRoot)
    {
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return options.Provider == DatabaseProvider.PostgreSQL ? WithPostgresDefaults(options.ConnectionString) : options.ConnectionString;
        }
        if (options.Provider != DatabaseProvider.Sqlite)
        {
            throw new InvalidOperationException("Database:ConnectionString is required when Database:Provider is PostgreSQL.");
        }
        var dataFolder = Path.Combine(contentRoot, "data");
        Directory.CreateDirectory(dataFolder);
        return $"Data Source={Path.Combine(dataFolder, "tongxin.db")}";
    }

    /// <summary>
    /// Two Npgsql settings, unless the connection string sets them itself. Auto-prepare: the statements a host
    /// sends thousands of times (reading a file, its audit rows) are parsed and planned once per connection, not
    /// per request. No reset on close: a pooled connection is not sent its reset statements each time a request
    /// hands it back, which was one extra round of work for the server per query; the host keeps no session
    /// state on a connection (no SET, temporary tables, LISTEN, cursors or advisory locks), so there is nothing
    /// to reset. Measured together, in one pair of runs: 1,385 → 2,251 reads a second on the 2-core machine (ADR 0009).
    /// And a pool of <see cref="DefaultMaxPoolSize"/> connections rather than Npgsql's 100 (see there), and no TLS to a
    /// server on this machine (<see cref="OnThisMachine"/>).
    /// </summary>
    internal static string WithPostgresDefaults(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!given.ContainsKey("Max Auto Prepare") && !given.ContainsKey("MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = 32;
        }
        if (!given.ContainsKey("No Reset On Close") && !given.ContainsKey("NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }
        if (!given.ContainsKey("SSL Mode") && !given.ContainsKey("SslMode") && OnThisMachine(builder.Host))
        {
            // Loopback traffic never leaves the kernel: TLS there protects nothing and cost the host an eighth of its
            // CPU per request for help (SslStream in the profile). A server elsewhere keeps Npgsql's own default.
            builder.SslMode = Npgsql.SslMode.Disable;
        }
        if (!given.ContainsKey("Maximum Pool Size") && !given.ContainsKey("MaxPoolSize"))
        {
            builder.MaxPoolSize = DefaultMaxPoolSize(Environment.ProcessorCount);
        }
        return builder.ConnectionString;
    }

    /// <summary>
    /// Connections per host at most, when the connection string does not say: 10 per core, at least 20. A host cannot
    /// keep more statements busy than that, and Npgsql's default of 100 let a burst open dozens of new server
    /// sessions at once (a process and a TLS handshake each), which took the CPU the requests needed: request help on
    /// PostgreSQL at 1,000/s went from a p99 of 1.7–3.2 s to 64–84 ms on the 2-core machine with 24. Three hosts at
    /// 100 each would also pass PostgreSQL's default max_connections (100).
    /// </summary>
    internal static int DefaultMaxPoolSize(int cores) => Math.Max(20, 10 * cores);

    /// <summary>Whether every host named is this machine: a loopback name or address, or a Unix socket folder.</summary>
    internal static bool OnThisMachine(string? hosts) =>
        !string.IsNullOrWhiteSpace(hosts) && hosts.Split(',').All(entry =>
        {
            var host = entry.Trim();
            if (host.StartsWith('/'))
            {
                return true; // a Unix domain socket
            }
            // "host:port" or "[v6]:port" in a multi-host list: the name alone ("::1" has more than one colon).
            if (host.StartsWith('[') && host.IndexOf(']') is > 0 and var close)
            {
                host = host[1..close];
            }
            else if (host.IndexOf(':') is > 0 and var colon && colon == host.LastIndexOf(':'))
            {
                host = host[..colon];
            }
            return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
                || (System.Net.IPAddress.TryParse(host, out var address) && System.Net.IPAddress.IsLoopback(address));
        });

    /// <summary>Brings the schema to this build's version; an older database is upgraded in place, rows kept.</summary>
    public static async Task MigrateTongxinDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TongxinDbContext>();
        var sqliteFile = db.Database.IsSqlite() ? new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource : null;
        if (!string.IsNullOrEmpty(sqliteFile) && Path.GetDirectoryName(Path.GetFullPath(sqliteFile)) is { } folder)
        {
            Directory.CreateDirectory(folder);
        }
        await db.Database.MigrateAsync(cancellationToken);
        if (db.Database.IsSqlite())
        {
            // Write-ahead logging: readers do not wait for the writer (many directors read while matching writes).
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }
}
