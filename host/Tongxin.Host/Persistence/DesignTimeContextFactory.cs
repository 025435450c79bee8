using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Tongxin.Host.Persistence;

/// <summary>
/// The context <c>dotnet ef</c> works with (<c>migrations add</c>, <c>migrations list</c>), without starting the host (its
/// silo, workers and first administrator). PostgreSQL's, never connected to: its snapshot keeps the identity
/// annotations PostgreSQL's check needs, and SQLite's check ignores them; <see cref="ProviderNeutralMigrations"/>
/// takes the store types out of what is generated (ADR 0002's amendment).
/// </summary>
internal sealed class DesignTimeContextFactory : IDesignTimeDbContextFactory<TongxinDbContext>
{
    public TongxinDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<TongxinDbContext>().UseNpgsql("Host=localhost;Database=tongxin_design_time").Options);
}
