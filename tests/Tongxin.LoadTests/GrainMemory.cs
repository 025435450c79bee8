using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;
using Tongxin.Host.Composition;
using Tongxin.Host.Grains;
using Tongxin.Host.Persistence;

namespace Tongxin.LoadTests;

/// <summary>
/// Memory per idle child grain: the host's own services in process (no HTTP), a SQLite file with
/// <c>count</c> children, every child's grain activated once, then the managed heap measured after full
/// collections. Target (issue 7): under 4 KiB per idle child grain.
/// </summary>
internal static class GrainMemory
{
    public static async Task<int> RunAsync(int count)
    {
        var folder = Directory.CreateTempSubdirectory("tongxin-grains-").FullName;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = folder });
        builder.Configuration["Database:ConnectionString"] = $"Data Source={Path.Combine(folder, "grains.db")}";
        builder.Configuration["Encryption:FieldKey"] = Convert.ToBase64String(new byte[32]);
        builder.Configuration["Grains:IdleTimeout"] = "01:00:00";
        builder.Configuration["Matching:AutoRun"] = "false";
        builder.Logging.ClearProviders();
        builder.AddTongxinHost();
        await using var app = builder.Build();
        await app.Services.MigrateTongxinDatabaseAsync();

        var ids = new List<string>(count);
        var now = DateTime.UtcNow;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TongxinDbContext>();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            for (var i = 0; i < count; i++)
            {
                var id = Ids.New();
                ids.Add(id);
                db.Children.Add(new ChildFile
                {
                    Id = id, GivenName = "小芳", FamilyName = "张", Gender = Gender.Female, BirthDate = new DateOnly(2016, 5, 1),
                    VillageCode = "500235102201", RegionPath = "/500235/500235102/500235102201/", Category = ChildCategory.LeftBehind,
                    GuardianSituation = "父母均在广东务工，由祖母照料", RiskLevel = RiskLevel.Medium,
                    ConsentBy = "祖母", ConsentRelation = "grandmother", ConsentRecordedAt = now,
                    CreatedByUserId = "harness", CreatedAt = now, UpdatedAt = now, Version = 1,
                });
            }
            await db.SaveChangesAsync();
        }

        await app.StartAsync(); // the silo
        var grains = app.Services.GetRequiredService<IGrainFactory>();
        var before = Settle();
        var watch = Stopwatch.StartNew();
        foreach (var slice in ids.Chunk(1000))
        {
            await Task.WhenAll(slice.Select(id => grains.GetGrain<IChildGrain>(id).GetSnapshotAsync()));
        }
        watch.Stop();
        var after = Settle();
        var activations = (await grains.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics())
            .Where(s => s.GrainType.Contains("ChildGrain", StringComparison.Ordinal)).Sum(s => s.ActivationCount);
        var perGrain = (after - before) / (double)activations;
        Console.WriteLine($"grains: {activations} idle child grains activated in {watch.Elapsed.TotalSeconds:F1} s; " +
            $"managed heap +{(after - before) / 1024.0 / 1024.0:F1} MiB = {perGrain:F0} bytes per idle child grain (target < 4096)");
        await app.StopAsync();
        return perGrain < 4096 ? 0 : 1;
    }

    private static long Settle()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
