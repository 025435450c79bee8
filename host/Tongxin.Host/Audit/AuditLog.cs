using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Tongxin.Host.Persistence;

namespace Tongxin.Host.Audit;

/// <summary>
/// Appends the audit rows that no change carries (reads, refusals, failures) with group commit: one writer
/// takes every row waiting at that moment, from however many requests, and saves them in one transaction.
/// <see cref="AppendAsync"/> completes only once the transaction holding the row has committed, so a request
/// that awaits it is acknowledged only after its row is committed (flushed to disk too with
/// <see cref="AuditOptions.WaitForFlush"/>; ADR 0010); if the commit fails, every request in that
/// batch fails (never a 2xx). One transaction per batch instead of one per read is what lets reads scale:
/// on SQLite all writers queue for one lock, and on both databases each commit waits for a disk flush.
/// Disposing (at host shutdown, after the server has drained) writes what is queued, then stops (<see cref="BatchWorker{T}"/>).
/// </summary>
public sealed class AuditLog : BatchWorker<AuditLog.Pending>
{
    /// <summary>Rows per transaction at most: a batch stays a short transaction even under a burst.</summary>
    public const int MaxBatch = 512;

    /// <summary>With <see cref="AuditOptions.WaitForFlush"/>, a batch smaller than this, of more than one row, waits a moment for more (<see cref="BatchGathering"/>).</summary>
    private const int LingerBelow = 64;

    private readonly IDbContextFactory<TongxinDbContext> databases;
    private readonly ILogger<AuditLog> logger;
    private readonly bool waitForFlush;

    public AuditLog(IDbContextFactory<TongxinDbContext> databases, ILogger<AuditLog> logger, Microsoft.Extensions.Options.IOptions<AuditOptions>? options = null)
        // A flushed commit costs about half a millisecond whatever its size: under load, waiting a moment for more
        // rows makes fewer, larger commits. Without the flush a commit is cheap, and rows go at once.
        : base("audit log writer", MaxBatch, options?.Value.WaitForFlush == true ? LingerBelow : 0)
    {
        this.databases = databases;
        this.logger = logger;
        waitForFlush = options?.Value.WaitForFlush ?? false;
        Start();
    }

    /// <summary>How many batches have committed (for tests and the load figures).</summary>
    public long BatchesCommitted => Batches;

    /// <summary>Queues <paramref name="entry"/>; the task completes when the row is committed, or fails if it is not.</summary>
    public async Task AppendAsync(AuditEntry entry)
    {
        // A copy: the caller's instance may be tracked by its own DbContext.
        var pending = new Pending(entry with { }, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            await EnqueueAsync(pending);
        }
        catch (ChannelClosedException e)
        {
            throw new AuditNotWrittenException("The audit log is shut down; the request was not done.", e);
        }
        await pending.Committed.Task;
    }

    protected override void Process(List<Pending> batch)
    {
        var entries = new AuditEntry[batch.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = batch[i].Entry;
        }
        using (var db = databases.CreateDbContext())
        {
            Commit(db, entries);
        }
        foreach (var pending in batch)
        {
            pending.Committed.TrySetResult();
        }
    }

    protected override void Failed(List<Pending> batch, Exception exception)
    {
        // Not one of these rows may be taken as written: every request waiting on this batch fails.
        logger.LogError(exception, "An audit batch of {Count} rows was not written; those requests fail.", batch.Count);
        foreach (var pending in batch)
        {
            // One exception object per request: each is thrown on its own request's thread.
            pending.Committed.TrySetException(new AuditNotWrittenException("The audit row was not written; the request was not done.", exception));
        }
    }

    /// <summary>
    /// One transaction for the batch. Unless <see cref="AuditOptions.WaitForFlush"/>, the commit does not wait for the
    /// disk flush: on SQLite the connection writes the log with synchronous=NORMAL for this transaction only (restored
    /// to FULL after, as every other write of the process expects); on PostgreSQL the transaction sets
    /// synchronous_commit off. Either way the rows are committed (seen by every reader, kept if this host dies) before
    /// any request is answered; only a power cut or operating-system crash within about a second of the commit can
    /// lose them, and never a change's row, which commits with the change, fully flushed (ADR 0010).
    /// </summary>
    /// <remarks>Explicit, so that "committed" means this commit, whatever the batch's size.</remarks>
    internal void Commit(TongxinDbContext db, IReadOnlyList<AuditEntry> batch)
    {
        var sqlite = db.Database.IsSqlite();
        var relaxed = false;
        try
        {
            if (!waitForFlush && sqlite)
            {
                // Opened by hand so the setting and the transaction share one SQLite connection; closed below
                // whatever happens (a pooled context must not keep it open, or a later abandoned transaction on it
                // would never release the write gate).
                db.Database.OpenConnection();
                relaxed = true;
                Execute(db, "PRAGMA synchronous=NORMAL;");
            }
            using var transaction = db.Database.BeginTransaction();
            Insert(db, batch, relaxFlushOnPostgres: !waitForFlush && !sqlite);
            transaction.Commit();
        }
        finally
        {
            if (relaxed)
            {
                RestoreFullSync(db);
            }
        }
    }

    /// <summary>
    /// The pooled SQLite connection goes back to every other writer of the process, which expect synchronous=FULL.
    /// If it cannot be set back, the connection's pool is cleared so that connection is never handed out again.
    /// </summary>
    private void RestoreFullSync(TongxinDbContext db)
    {
        try
        {
            Execute(db, "PRAGMA synchronous=FULL;");
        }
        catch (Exception e)
        {
            logger.LogWarning("An audit connection could not be set back to synchronous=FULL and is discarded: {Error}", e.Message);
            Microsoft.Data.Sqlite.SqliteConnection.ClearPool((Microsoft.Data.Sqlite.SqliteConnection)db.Database.GetDbConnection());
        }
        finally
        {
            db.Database.CloseConnection();
        }
    }

    private static void Execute(TongxinDbContext db, string sql)
    {
        using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// Plain INSERTs on the context's connection and transaction, without EF's change tracking. On SQLite one prepared
    /// single-row statement run once per row (SQLite parses it once; binding 8 named parameters is cheap, where a
    /// 1,000-parameter statement costs a linear name search per parameter). On PostgreSQL one statement for the whole
    /// batch, each column sent as one array and unnested by the server: the same SQL whatever the batch's size, so
    /// the server parses and plans it once per connection (automatic preparation, ADR 0011) where a multi-row VALUES
    /// list was new SQL for every size. Table and column names come from the EF model, so they cannot drift from the schema.
    /// </summary>
    private static void Insert(TongxinDbContext db, IReadOnlyList<AuditEntry> batch, bool relaxFlushOnPostgres)
    {
        var entity = db.Model.FindEntityType(typeof(AuditEntry))!;
        string Column(string property) => "\"" + entity.FindProperty(property)!.GetColumnName() + "\"";
        var head = $"INSERT INTO \"{entity.GetTableName()}\" ({Column(nameof(AuditEntry.Id))}, {Column(nameof(AuditEntry.At))}, " +
            $"{Column(nameof(AuditEntry.UserId))}, {Column(nameof(AuditEntry.Role))}, {Column(nameof(AuditEntry.Action))}, " +
            $"{Column(nameof(AuditEntry.SubjectType))}, {Column(nameof(AuditEntry.SubjectId))}, {Column(nameof(AuditEntry.Outcome))}) ";
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction!.GetDbTransaction();
        if (db.Database.IsSqlite())
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = head + "VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7)";
            var parameters = Enumerable.Range(0, 8).Select(k => Add(command, "@p" + k)).ToArray();
            foreach (var e in batch)
            {
                parameters[0].Value = e.Id;
                parameters[1].Value = Utc(e.At);
                parameters[2].Value = (object?)e.UserId ?? DBNull.Value;
                parameters[3].Value = (object?)e.Role ?? DBNull.Value;
                parameters[4].Value = e.Action;
                parameters[5].Value = e.SubjectType;
                parameters[6].Value = (object?)e.SubjectId ?? DBNull.Value;
                parameters[7].Value = e.Outcome;
                command.ExecuteNonQuery();
            }
            return;
        }
        // The setting and the insert go in one round trip (a command batch); the transaction's BEGIN goes with them too.
        using var statements = connection.CreateBatch();
        statements.Transaction = transaction;
        if (relaxFlushOnPostgres)
        {
            var relax = statements.CreateBatchCommand();
            relax.CommandText = "SET LOCAL synchronous_commit = off";
            statements.BatchCommands.Add(relax);
        }
        var insert = statements.CreateBatchCommand();
        // Positional ($1...) and unnamed: Npgsql sends them as they are, with no rewriting of the SQL.
        insert.CommandText = head + "SELECT * FROM unnest($1, $2, $3, $4, $5, $6, $7, $8)";
        AddArray<string>(insert, batch, e => e.Id);
        AddArray<DateTime>(insert, batch, e => Utc(e.At), NpgsqlTypes.NpgsqlDbType.TimestampTz);
        AddArray<string?>(insert, batch, e => e.UserId);
        AddArray<string?>(insert, batch, e => e.Role);
        AddArray<string>(insert, batch, e => e.Action);
        AddArray<string>(insert, batch, e => e.SubjectType);
        AddArray<string?>(insert, batch, e => e.SubjectId);
        AddArray<string>(insert, batch, e => e.Outcome);
        statements.BatchCommands.Add(insert);
        statements.ExecuteNonQuery();
    }

    private static DateTime Utc(DateTime at) => at.Kind == DateTimeKind.Utc ? at : at.ToUniversalTime();

    /// <summary>One column of the batch as a PostgreSQL array parameter (text unless told; null elements allowed).</summary>
    private static void AddArray<TValue>(System.Data.Common.DbBatchCommand command, IReadOnlyList<AuditEntry> batch, Func<AuditEntry, TValue> value, NpgsqlTypes.NpgsqlDbType type = NpgsqlTypes.NpgsqlDbType.Text)
    {
        var values = new TValue[batch.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = value(batch[i]);
        }
        command.Parameters.Add(new Npgsql.NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | type, Value = values });
    }

    private static System.Data.Common.DbParameter Add(System.Data.Common.DbCommand command, string name)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        command.Parameters.Add(parameter);
        return parameter;
    }

    /// <summary>A row waiting for its batch, and the request waiting for it.</summary>
    public sealed record Pending(AuditEntry Entry, TaskCompletionSource Committed);
}

/// <summary>An audit row could not be committed, so the request it audits is not acknowledged (503 or 500).</summary>
public sealed class AuditNotWrittenException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// <c>Audit:WaitForFlush</c>: whether a request that changes nothing (a read, a refusal) is answered only after its
/// audit row has reached the disk (true), or once the row is committed (false, the default: survives the host's death,
/// not a power cut in the next second; ADR 0010). A change's row always commits with the change, fully flushed.
/// </summary>
public sealed class AuditOptions
{
    public const string Section = "Audit";

    public bool WaitForFlush { get; set; }
}
