using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Tongxin.Host.Persistence;

namespace Tongxin.IntegrationTests.Infrastructure;

/// <summary>
/// Contexts made from options a test sets up itself (its own interceptors, a database that fails or cannot be
/// reached), for the batch workers (<c>AuditLog</c>, <c>GroupInserts</c>) tested on their own, outside a host.
/// </summary>
public sealed class OwnContexts(DbContextOptions<TongxinDbContext> options) : IDbContextFactory<TongxinDbContext>
{
    public TongxinDbContext CreateDbContext() => new(options);

    /// <summary>Contexts on a test database (or another connection string to it), with the test's own interceptors.</summary>
    public static OwnContexts On(DatabaseProvider provider, string connectionString, params IInterceptor[] interceptors)
    {
        var builder = new DbContextOptionsBuilder<TongxinDbContext>();
        _ = provider == DatabaseProvider.Sqlite
            ? builder.UseSqlite(connectionString)
            : builder.UseNpgsql(connectionString);
        builder.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
        builder.AddInterceptors(interceptors);
        return new OwnContexts(builder.Options);
    }
}

/// <summary>A disk that fails at the moment of commit: the rows were sent, the transaction rolls back.</summary>
public sealed class FailingCommit : DbTransactionInterceptor
{
    public override InterceptionResult TransactionCommitting(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result) =>
        throw new InvalidOperationException("commit failed (test)");

    public override ValueTask<InterceptionResult> TransactionCommittingAsync(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("commit failed (test)");
}
