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
        DbUpdateConcurrencyException => true,
        DbUpdateException { InnerException: PostgresException { SqlState: PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected } } => true,
        DbUpdateException { InnerException: SqliteException { SqliteErrorCode: 19 } } => true, // SQLITE_CONSTRAINT
        _ => false,
    };
}
