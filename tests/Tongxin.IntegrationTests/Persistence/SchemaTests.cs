using System.Data.Common;
using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Tongxin.Host.Persistence;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Persistence;

public sealed class SchemaTestsOnSqlite() : SchemaTests(DatabaseProvider.Sqlite);

public sealed class SchemaTestsOnPostgres() : SchemaTests(DatabaseProvider.PostgreSQL);

/// <summary>
/// The schema is versioned by hand-written migrations: they must build exactly the model's tables and
/// columns, and a newer build must upgrade an older database in place without losing rows.
/// </summary>
public abstract class SchemaTests(DatabaseProvider provider)
{
    private const string FirstVersion = "20261123000001_Initial";

    [Fact]
    public async Task MigrationsCreateEveryTableAndColumnOfTheModel()
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var factory = TongxinApp.CreateFactory(database);
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<TongxinDbContext>();

        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        foreach (var entity in db.Model.GetEntityTypes())
        {
            var table = entity.GetTableName()!;
            var columns = await ColumnsAsync(connection, table);
            Assert.True(columns.Count > 0, $"Table {table} is missing: add a migration.");
            foreach (var property in entity.GetProperties())
            {
                var column = property.GetColumnName();
                Assert.True(columns.Contains(column), $"Column {table}.{column} is missing: add a migration.");
            }
        }
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
    }

    [Fact]
    public async Task ANewerBuildUpgradesAnOlderDatabaseAndKeepsItsRows()
    {
        await using var database = await TestDatabase.CreateAsync(provider);

        // An older deployment: only the first schema version, with a user and a region in it.
        var options = new DbContextOptionsBuilder<TongxinDbContext>();
        _ = provider == DatabaseProvider.Sqlite ? options.UseSqlite(database.ConnectionString) : options.UseNpgsql(database.ConnectionString);
        options.ConfigureWarnings(w => w.Ignore(Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.PendingModelChangesWarning));
        await using (var old = new TongxinDbContext(options.Options))
        {
            await old.GetService<IMigrator>().MigrateAsync(FirstVersion);
            Assert.DoesNotContain("Children", await TablesAsync(old));
            // Written as version 1 had it: the current model's account has columns version 1 does not.
            var hash = new PasswordHasher<UserAccount>().HashPassword(null!, "Old#Password1");
            await old.Database.ExecuteSqlAsync($"""
                INSERT INTO "Users" ("Id", "UserName", "PasswordHash", "Role", "RegionCode", "RegionPath", "Active", "CreatedAt")
                VALUES ({Ids.New()}, {"old-civil"}, {hash}, {"CivilAffairs"}, {"C1"}, {"/C1/"}, {true}, {DateTime.UtcNow})
                """);
            old.Regions.Add(new Region { Code = "C1", Name = "老县", Kind = RegionKind.County, Path = "/C1/", CreatedAt = DateTime.UtcNow });
            await old.SaveChangesAsync();
        }

        // Starting this build on it upgrades the schema; the old rows are still there and work.
        await using var factory = TongxinApp.CreateFactory(database);
        var api = new Api(factory.CreateClient());
        await api.LoginAsync("old-civil", "Old#Password1");
        var regions = (await api.GetAsync("/api/regions")).AssertStatus(HttpStatusCode.OK).Array;
        Assert.Equal("老县", Assert.Single(regions)!["name"]!.GetValue<string>());
        (await api.GetAsync("/api/children")).AssertStatus(HttpStatusCode.OK);

        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<TongxinDbContext>();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.Contains("Children", await TablesAsync(db));
    }

    private static async Task<HashSet<string>> TablesAsync(TongxinDbContext db)
    {
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = db.Database.IsSqlite()
            ? "SELECT name FROM sqlite_master WHERE type = 'table'"
            : "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'";
        return await ReadStringsAsync(command);
    }

    private static async Task<HashSet<string>> ColumnsAsync(DbConnection connection, string table)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = connection is Microsoft.Data.Sqlite.SqliteConnection
            ? $"SELECT name FROM pragma_table_info('{table}')"
            : $"SELECT column_name FROM information_schema.columns WHERE table_name = '{table}'";
        return await ReadStringsAsync(command);
    }

    private static async Task<HashSet<string>> ReadStringsAsync(DbCommand command)
    {
        var values = new HashSet<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }
        return values;
    }
}
