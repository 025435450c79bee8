using System.Net;
using Microsoft.Data.Sqlite;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Persistence;

/// <summary>
/// The SQLite write-ahead log is copied into the database file in the background while the host runs, and completely
/// when it stops (<c>SqliteCheckpoints</c>, ADR 0010): an operator who backs up or copies <c>data/tongxin.db</c> after
/// a stop has every acknowledged row in that one file. Real host processes on a SQLite file of their own.
/// </summary>
public sealed class SqliteCheckpointTests
{
    private const int Files = 12;

    [Fact]
    public async Task AfterAGracefulStopTheDatabaseFileAloneHoldsEveryRowAndTheLogIsEmpty()
    {
        var work = Directory.CreateTempSubdirectory("tongxin-checkpoint-stop-").FullName;
        // An hour: no background checkpoint runs during this test, so what reaches the file is the stop's doing.
        await using var host = await StartAsync(work, checkpointEvery: TimeSpan.FromHours(1));
        var written = await WriteAsync(host);
        // The rows are in the log only, so far: the test is about the stop, not something before it.
        Assert.True(new FileInfo(LogFile(work)).Length > 0, "The writes went to the write-ahead log.");
        Assert.Empty(RowsInFileAlone(DatabaseFile(work), written).Children);

        // Another program has the file open as the host stops (a backup tool, the sqlite3 shell, a monitor): the
        // host's connections are then not the last to close, so SQLite's own checkpoint at the last close does not
        // happen, and the stop's checkpoint has to do it.
        using var bystander = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabaseFile(work), Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        bystander.Open();
        Assert.True(Count(bystander, "SELECT COUNT(*) FROM \"Children\"") >= Files, "The bystander sees the log's rows.");

        var exitCode = await host.StopAsync(TimeSpan.FromSeconds(60));

        Assert.True(exitCode == 0, $"The host stopped with {exitCode?.ToString() ?? "no exit (still running)"}:\n{host.Output}");
        var left = File.Exists(LogFile(work)) ? new FileInfo(LogFile(work)).Length : 0;
        Assert.True(left == 0, $"The write-ahead log is empty (or gone) after a stop: {left} bytes left.");
        AssertEveryRow(RowsInFileAlone(DatabaseFile(work), written), written);
    }

    [Fact]
    public async Task WhileTheHostRunsAcknowledgedRowsReachTheDatabaseFileWithinSeconds()
    {
        var work = Directory.CreateTempSubdirectory("tongxin-checkpoint-run-").FullName;
        var every = TimeSpan.FromSeconds(1);
        await using var host = await StartAsync(work, checkpointEvery: every);
        var written = await WriteAsync(host);

        // Nothing else copies the log into the file while the host runs (writers have wal_autocheckpoint=0, and these
        // few writes are far below SQLite's own 1,000 pages anyway): only the background checkpoint can put these rows
        // there (with Database:CheckpointEvery at an hour, this fails). A few periods' grace for a busy machine.
        var deadline = DateTime.UtcNow + 10 * every;
        var rows = RowsInFileAlone(DatabaseFile(work), written);
        while (!HasEveryRow(rows, written) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(every / 4);
            try
            {
                rows = RowsInFileAlone(DatabaseFile(work), written);
            }
            catch (SqliteException)
            {
                // Copied while a checkpoint was writing the file: nothing to judge from this copy; look again.
            }
        }

        Assert.False(host.HasExited, host.Output);
        AssertEveryRow(rows, written);
    }

    private static string DatabaseFile(string work) => Path.Combine(work, "data", "tongxin.db");

    private static string LogFile(string work) => DatabaseFile(work) + "-wal";

    private static async Task<HostProcess> StartAsync(string work, TimeSpan checkpointEvery)
    {
        var host = HostProcess.Start(work, new Dictionary<string, string>
        {
            ["Bootstrap__AdminUserName"] = TongxinApp.AdminUserName,
            ["Bootstrap__AdminPassword"] = TongxinApp.AdminPassword,
            ["Encryption__FieldKey"] = TongxinApp.FieldKey,
            ["Matching__AutoRun"] = "false",
            ["RateLimits__ListsPerMinute"] = "1000000",
            ["Database__CheckpointEvery"] = checkpointEvery.ToString("c"),
        });
        if (!await host.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90)))
        {
            await host.DisposeAsync();
            Assert.Fail("The host did not start:\n" + host.Output);
        }
        return host;
    }

    /// <summary>Files, a call logged on each and a read of each (its audit row is committed by the audit log's batches).</summary>
    private static async Task<List<(string Id, string GivenName)>> WriteAsync(HostProcess host)
    {
        var county = await TestCounty.CreateAsync(new ProcessApiHost(host));
        var director = await county.As("director-a1");
        var written = new List<(string Id, string GivenName)>();
        for (var i = 0; i < Files; i++)
        {
            var body = SampleCounty.ChildBody(county.VillageA1);
            var givenName = $"检查点-{i:D2}";
            body["givenName"] = givenName;
            var id = (await director.PostAsync("/api/children", body)).AssertStatus(HttpStatusCode.Created).Id;
            (await director.PostAsync($"/api/children/{id}/contacts", new { kind = "call", at = DateTime.UtcNow, notes = "电话询问" }))
                .AssertStatus(HttpStatusCode.Created);
            (await director.GetAsync($"/api/children/{id}")).AssertStatus(HttpStatusCode.OK);
            written.Add((id, givenName));
        }
        return written;
    }

    private sealed record Rows(Dictionary<string, string> Children, int Calls, int Reads);

    /// <summary>
    /// What a copy of the database file alone holds (no <c>-wal</c> beside it: as a file copied for a backup, or a
    /// host whose log was lost), opened read-only.
    /// </summary>
    private static Rows RowsInFileAlone(string databaseFile, List<(string Id, string GivenName)> written)
    {
        var copy = Path.Combine(Directory.CreateTempSubdirectory("tongxin-checkpoint-copy-").FullName, "alone.db");
        try
        {
            File.Copy(databaseFile, copy);
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = copy, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            connection.Open();
            if (Count(connection, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('Children', 'ChildContacts', 'AuditEntries')") < 3)
            {
                return new Rows([], 0, 0); // not even the schema has reached the file yet
            }
            var ids = string.Join(", ", written.Select(w => $"'{w.Id}'")); // ids the host made: hex only
            var children = new Dictionary<string, string>();
            using (var command = connection.CreateCommand())
            {
                command.CommandText = $"SELECT \"Id\", \"GivenName\" FROM \"Children\" WHERE \"Id\" IN ({ids})";
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    children[reader.GetString(0)] = reader.GetString(1);
                }
            }
            return new Rows(
                children,
                Count(connection, $"SELECT COUNT(*) FROM \"ChildContacts\" WHERE \"ChildId\" IN ({ids})"),
                Count(connection, $"SELECT COUNT(*) FROM \"AuditEntries\" WHERE \"Action\" = 'child.read' AND \"SubjectId\" IN ({ids})"));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(Path.GetDirectoryName(copy)!, recursive: true);
        }
    }

    private static int Count(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static bool HasEveryRow(Rows rows, List<(string Id, string GivenName)> written) =>
        rows.Children.Count == written.Count && rows.Calls == written.Count && rows.Reads >= written.Count;

    private static void AssertEveryRow(Rows rows, List<(string Id, string GivenName)> written)
    {
        Assert.Equal(written.ToDictionary(w => w.Id, w => w.GivenName), rows.Children);
        Assert.Equal(written.Count, rows.Calls);
        Assert.Equal(written.Count, rows.Reads);
    }
}
