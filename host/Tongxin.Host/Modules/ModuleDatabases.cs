using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Tongxin.Host.Persistence;
using Tongxin.Modules.Contracts;

namespace Tongxin.Host.Modules;

/// <summary>
/// The tables a service line owns: each EF Core context in a module's assembly marked <see cref="IModuleDbContext"/>
/// is registered on the host's database and provider, and migrated at start after the host's own schema, with its
/// own history table (<c>__tongxin_&lt;key&gt;_migrations</c>) so a module's migrations never mix with the host's or
/// another module's. On SQLite its writes pass the same write gate as the host's.
/// </summary>
public static class ModuleDatabases
{
    /// <summary>A module's context and the history table of its migrations.</summary>
    internal sealed record ModuleDatabase(string Line, Type ContextType, string HistoryTable);

    internal static void AddModuleDatabases(this IServiceCollection services, Assembly assembly, string line)
    {
        var contexts = assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(DbContext).IsAssignableFrom(t) && typeof(IModuleDbContext).IsAssignableFrom(t));
        foreach (var context in contexts)
        {
            var database = new ModuleDatabase(line, context, HistoryTable(line));
            services.AddSingleton(database);
            typeof(ModuleDatabases).GetMethod(nameof(AddContext), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(context)
                .Invoke(null, [services, database]);
        }
    }

    /// <summary><c>__tongxin_legal_aid_migrations</c> for the line <c>legal-aid</c>: one name both databases accept unquoted.</summary>
    internal static string HistoryTable(string line) => $"__tongxin_{line.Replace('-', '_')}_migrations";

    private static void AddContext<TContext>(IServiceCollection services, ModuleDatabase database) where TContext : DbContext =>
        services.AddDbContext<TContext>((provider, db) =>
        {
            provider.GetRequiredService<DatabaseSetup.DatabaseTarget>().Configure(db, provider, database.HistoryTable);
            // A module's migrations are its own, hand-written or generated, with or without a model snapshot; the
            // module's tests check its tables against its model (as SchemaTests does for the host's).
            db.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
        });

    /// <summary>Brings every module's tables to this build's version, after the host's (so a module may refer to them).</summary>
    public static async Task MigrateModuleDatabasesAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        foreach (var database in services.GetServices<ModuleDatabase>())
        {
            await using var scope = services.CreateAsyncScope();
            var context = (DbContext)scope.ServiceProvider.GetRequiredService(database.ContextType);
            try
            {
                await context.Database.MigrateAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new ModuleLoadException($"The tables of line '{database.Line}' ({database.ContextType.FullName}) could not be migrated: {e.Message}", e);
            }
        }
    }
}
