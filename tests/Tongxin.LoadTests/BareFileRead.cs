using System.Buffers;
using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Npgsql;
using Tongxin.Host.Persistence;

namespace Tongxin.LoadTests;

/// <summary>
/// The floor for reading a file: the least a read can cost on this machine with these databases. Kestrel and one
/// minimal-API route, <c>GET /api/children/{id}</c>, that makes one primary-key SELECT of the child's row in the
/// product's <c>Children</c> table and one INSERT of an audit row into its <c>AuditEntries</c> table (the same
/// columns the host writes), then answers the row as JSON. No Orleans, no MediatR, no authentication, no EF: plain
/// ADO.NET on connections opened once and kept, each with its two statements prepared once.
/// <para>
/// Run as a process of its own (<see cref="StartAsync"/>), as the host is: the generator's CPU and collections stay out of
/// it, and the harness reads its CPU apart from the generator's. Server GC, as the host (a web project) runs.
/// </para>
/// <para>
/// Database settings mirror the host's for a read's audit row (<c>AuditLog.Commit</c>): on SQLite, WAL (the file's
/// own mode, set by the host's migration), the row committed with <c>synchronous=NORMAL</c> and checkpoints left to the
/// host's background checkpointer (<c>wal_autocheckpoint=0</c>; the host process keeps running beside and checkpoints
/// this file every second), and one async write gate so that this process's writers never meet SQLite's busy sleep
/// (as the host's <c>SqliteWriteGate</c>). On PostgreSQL, <c>synchronous_commit=off</c> (the host sends
/// <c>SET LOCAL synchronous_commit = off</c> with every batch of read rows; these connections write nothing else, so
/// it is set once for the session) and no TLS on loopback (the host's default there). One row per request, each
/// committed by itself: no batching, which is the host's own work to beat.
/// </para>
/// </summary>
internal sealed class BareFileRead
{
    public const string Command = "floor-serve";

    private readonly Func<DbConnection> newConnection;
    private readonly bool sqlite;
    private readonly ConcurrentBag<ReadConnection> idle = new();

    // As many connections as the host's pool allows by default (10 per core, at least 20; DatabaseSetup).
    private readonly SemaphoreSlim connections = new(Math.Max(20, 10 * Environment.ProcessorCount));

    // SQLite: one writer at a time, waited for asynchronously (see the class comment).
    private readonly SemaphoreSlim sqliteWriter = new(1, 1);

    private BareFileRead(string database, string connectionString)
    {
        sqlite = database != "postgres";
        var postgres = sqlite ? null : new NpgsqlConnectionStringBuilder(connectionString)
        {
            SslMode = SslMode.Disable,
            Options = "-c synchronous_commit=off",
        }.ConnectionString;
        newConnection = sqlite ? () => new SqliteConnection(connectionString) : () => new NpgsqlConnection(postgres);
    }

    /// <summary>Starts the floor as a process of its own on a free loopback port and waits until it answers.</summary>
    public static async Task<FloorProcess> StartAsync(string database, string connectionString)
    {
        var port = IntegrationTests.Infrastructure.HostProcess.FreePort();
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false }; // its output, if any, beside the harness's
        foreach (var argument in new[] { typeof(BareFileRead).Assembly.Location, Command, database, connectionString, port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["DOTNET_gcServer"] = "1";
        var floor = new FloorProcess(Process.Start(start)!, new Uri($"http://127.0.0.1:{port}"));
        using var http = new HttpClient { BaseAddress = floor.Address, Timeout = TimeSpan.FromSeconds(2) };
        for (var attempt = 0; attempt < 150; attempt++)
        {
            try
            {
                if ((await http.GetAsync("/health")).IsSuccessStatusCode)
                {
                    return floor;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(200);
        }
        await floor.DisposeAsync();
        throw new InvalidOperationException("The floor endpoint did not start.");
    }

    /// <summary>The floor's process: serves until killed.</summary>
    public static async Task<int> ServeAsync(string database, string connectionString, int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        await using var app = builder.Build();
        var floor = new BareFileRead(database, connectionString);
        app.MapGet("/health", () => "ok");
        app.MapGet("/api/children/{id}", floor.ReadAsync);
        await app.RunAsync();
        return 0;
    }

    private async Task ReadAsync(string id, HttpContext context)
    {
        var body = new ArrayBufferWriter<byte>(1024);
        await connections.WaitAsync();
        ReadConnection? connection = null;
        try
        {
            connection = idle.TryTake(out var kept) ? kept : await OpenAsync();
            connection.ChildId.Value = id;
            bool found;
            await using (var reader = await connection.Select.ExecuteReaderAsync(CommandBehavior.SingleRow))
            {
                found = await reader.ReadAsync();
                if (found)
                {
                    WriteRow(reader, body);
                }
            }
            if (!found)
            {
                idle.Add(connection);
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            connection.SetAuditRow(Ids.New(), id);
            if (sqlite)
            {
                await sqliteWriter.WaitAsync();
                try
                {
                    await connection.Insert.ExecuteNonQueryAsync();
                }
                finally
                {
                    sqliteWriter.Release();
                }
            }
            else
            {
                await connection.Insert.ExecuteNonQueryAsync();
            }
            idle.Add(connection);
        }
        catch
        {
            // A connection that failed halfway is not handed out again.
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
            throw;
        }
        finally
        {
            connections.Release();
        }
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.ContentLength = body.WrittenCount;
        await context.Response.Body.WriteAsync(body.WrittenMemory);
    }

    /// <summary>The row as one JSON object, its column names as the keys, written straight from the reader.</summary>
    private static void WriteRow(DbDataReader reader, IBufferWriter<byte> body)
    {
        using var json = new Utf8JsonWriter(body);
        json.WriteStartObject();
        for (var i = 0; i < reader.FieldCount; i++)
        {
            json.WritePropertyName(reader.GetName(i));
            switch (reader.GetValue(i))
            {
                case DBNull:
                    json.WriteNullValue();
                    break;
                case string text:
                    json.WriteStringValue(text);
                    break;
                case long number:
                    json.WriteNumberValue(number);
                    break;
                case int number:
                    json.WriteNumberValue(number);
                    break;
                case double number:
                    json.WriteNumberValue(number);
                    break;
                case bool flag:
                    json.WriteBooleanValue(flag);
                    break;
                case DateTime at:
                    json.WriteStringValue(at);
                    break;
                case DateOnly day:
                    json.WriteStringValue(day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
                    break;
                case var other:
                    json.WriteStringValue(Convert.ToString(other, System.Globalization.CultureInfo.InvariantCulture));
                    break;
            }
        }
        json.WriteEndObject();
    }

    private async Task<ReadConnection> OpenAsync()
    {
        var connection = newConnection();
        await connection.OpenAsync();
        if (sqlite)
        {
            await using var settings = connection.CreateCommand();
            settings.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=0;";
            await settings.ExecuteNonQueryAsync();
        }
        return await ReadConnection.PrepareAsync(connection);
    }

    /// <summary>One open connection with its two statements, prepared once.</summary>
    private sealed class ReadConnection : IAsyncDisposable
    {
        private static readonly string[] AuditColumns = ["Id", "At", "UserId", "Role", "Action", "SubjectType", "SubjectId", "Outcome"];

        private readonly DbConnection connection;
        private readonly DbParameter[] audit;

        private ReadConnection(DbConnection connection, DbCommand select, DbParameter childId, DbCommand insert, DbParameter[] audit)
        {
            this.connection = connection;
            Select = select;
            ChildId = childId;
            Insert = insert;
            this.audit = audit;
        }

        public DbCommand Select { get; }

        public DbParameter ChildId { get; }

        public DbCommand Insert { get; }

        public static async Task<ReadConnection> PrepareAsync(DbConnection connection)
        {
            var select = connection.CreateCommand();
            select.CommandText = "SELECT * FROM \"Children\" WHERE \"Id\" = @id";
            var childId = Parameter(select, "@id", "");
            await select.PrepareAsync();
            var insert = connection.CreateCommand();
            insert.CommandText = $"INSERT INTO \"AuditEntries\" ({string.Join(", ", AuditColumns.Select(c => $"\"{c}\""))}) " +
                $"VALUES ({string.Join(", ", AuditColumns.Select((_, k) => $"@p{k}"))})";
            var audit = AuditColumns.Select((_, k) => Parameter(insert, $"@p{k}", k == 1 ? DateTime.UtcNow : "")).ToArray();
            // The same for every read by the harness's user; only the row's id, time and subject change.
            audit[2].Value = "floor";
            audit[3].Value = "civil-affairs";
            audit[4].Value = "child.read";
            audit[5].Value = "child";
            audit[7].Value = "done";
            await insert.PrepareAsync();
            return new ReadConnection(connection, select, childId, insert, audit);
        }

        public void SetAuditRow(string id, string childId)
        {
            audit[0].Value = id;
            audit[1].Value = DateTime.UtcNow;
            audit[6].Value = childId;
        }

        /// <summary>
        /// A parameter typed by its first value, as the host's own statements are: a string is text, a UTC time is
        /// PostgreSQL's timestamptz (SQLite's text, in the format EF writes). PostgreSQL prepares with those types.
        /// </summary>
        private static DbParameter Parameter(DbCommand command, string name, object first)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = first;
            command.Parameters.Add(parameter);
            return parameter;
        }

        public async ValueTask DisposeAsync() => await connection.DisposeAsync();
    }
}

/// <summary>The floor endpoint's process; disposing kills it (it holds nothing that needs a shutdown).</summary>
internal sealed class FloorProcess(Process process, Uri address) : IAsyncDisposable
{
    public Uri Address { get; } = address;

    public int ProcessId => process.Id;

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }
}
