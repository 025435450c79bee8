using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Tongxin.Host.Grains;

/// <summary>
/// Which failures mean "another writer got there first", so a grain reloads its state and retries the call
/// (<see cref="VersionedGrain"/>): a version check that failed, or a unique key taken meanwhile (e.g. a pairing for
/// the same offer).
/// </summary>
public static class StaleWrites
{
    public static bool IsStale(Exception exception) => exception switch
    {
        StaleGrainStateException or DbUpdateConcurrencyException => true,
        DbUpdateException { InnerException: PostgresException { SqlState: PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected } } => true,
        DbUpdateException { InnerException: SqliteException { SqliteErrorCode: 19 } } => true, // SQLITE_CONSTRAINT
        _ => false,
    };
}

/// <summary>
/// Thrown by a grain that finds its memory behind the database before it writes (a caller read a newer version
/// than the grain holds: someone wrote beside it). Like a failed versioned write, it makes the grain reload and retry.
/// </summary>
public sealed class StaleGrainStateException(string message) : Exception(message);
