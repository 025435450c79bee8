using Microsoft.Data.Sqlite;
using Npgsql;
using Tongxin.Host.Persistence;

namespace Tongxin.IntegrationTests.Infrastructure;

/// <summary>A fresh, empty database for one test class: a SQLite file, or a new database on the PostgreSQL server.</summary>
public abstract class TestDatabase : IAsyncDisposable
{
    public abstract DatabaseProvider Provider { get; }
    public abstract string ConnectionString { get; }

    public abstract ValueTask DisposeAsync();

    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => new SqliteTestDatabase(),
        DatabaseProvider.PostgreSQL => await PostgresTestDatabase.CreateAsync(),
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };
}

public sealed class SqliteTestDatabase : TestDatabase
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tongxin-test-").FullName;

    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;
    public override string ConnectionString => $"Data Source={Path.Combine(_folder, "tongxin.db")}";

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on a slow shutdown: the temp folder is cleaned by the OS.
        }
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// A database of its own on the server named by <c>TONGXIN_TEST_POSTGRES</c> (default: the local
/// server that tests/ensure-postgres.sh sets up). Dropped afterwards.
/// </summary>
public sealed class PostgresTestDatabase : TestDatabase
{
    public const string DefaultServer = "Host=127.0.0.1;Port=5432;Username=tongxin;Password=tongxin;Database=postgres";

    private readonly string _server;
    private readonly string _name;

    private PostgresTestDatabase(string server, string name)
    {
        _server = server;
        _name = name;
    }

    public override DatabaseProvider Provider => DatabaseProvider.PostgreSQL;

    public override string ConnectionString => new NpgsqlConnectionStringBuilder(_server) { Database = _name, Pooling = true, MaxPoolSize = 40 }.ConnectionString;

    public static string Server => Environment.GetEnvironmentVariable("TONGXIN_TEST_POSTGRES") ?? DefaultServer;

    public static async Task<PostgresTestDatabase> CreateAsync()
    {
        var name = "tongxin_test_" + Guid.NewGuid().ToString("N")[..16];
        try
        {
            await using var connection = new NpgsqlConnection(Server);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException e)
        {
            throw new InvalidOperationException(
                "PostgreSQL is not reachable for the integration tests. Run tests/ensure-postgres.sh (or the README's test command), or set TONGXIN_TEST_POSTGRES. " + e.Message, e);
        }
        return new PostgresTestDatabase(Server, name);
    }

    public override async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
