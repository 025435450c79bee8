using Npgsql;

namespace Tongxin.LoadTests;

/// <summary>
/// A database name of the harness's own on the local PostgreSQL server (role tongxin/tongxin, as
/// <c>tests/ensure-postgres.sh</c> sets it up). Nothing is created here: the host (or the audit harness) creates it
/// when it migrates. Disposing drops it, so a harness leaves no database behind on the shared server.
/// </summary>
internal sealed class ScratchPostgres : IAsyncDisposable
{
    private const string Server = "Host=127.0.0.1;Username=tongxin;Password=tongxin";

    private ScratchPostgres(string name) => Name = name;

    public string Name { get; }

    /// <summary>
    /// The connection string a host is given. <c>TONGXIN_LOAD_PG_EXTRA</c> (e.g. <c>;Maximum Pool Size=40</c>) is
    /// appended, for trying a connection setting without a rebuild.
    /// </summary>
    public string ConnectionString => $"{Server};Database={Name}{Environment.GetEnvironmentVariable("TONGXIN_LOAD_PG_EXTRA")}";

    public static ScratchPostgres New(string prefix) => new($"{prefix}_{Guid.NewGuid().ToString("N")[..12]}");

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection($"{Server};Database=postgres");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
