using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Persistence;

namespace Tongxin.IntegrationTests.Infrastructure;

/// <summary>
/// Contexts made from options a test sets up itself (its own interceptors, a database that fails or cannot be
/// reached), for the batch workers (<c>AuditLog</c>, <c>GroupInserts</c>) tested on their own, outside a host.
/// </summary>
public sealed class OwnContexts(DbContextOptions<TongxinDbContext> options) : IDbContextFactory<TongxinDbContext>
{
    public TongxinDbContext CreateDbContext() => new(options);
}
