using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans;
using Tongxin.Host.Composition;
using Tongxin.Host.Grains;
using Tongxin.Host.Persistence;

namespace Tongxin.LoadTests;

/// <summary>
/// The host's own services in this process (no HTTP requests are sent), on a SQLite file in a temp folder with
/// <c>count</c> children's files, and its Orleans silo started: what the grain harnesses measure against. Grain
/// types of this project (<see cref="ConstantGrain"/>) are found by the silo too, since Orleans' code generator runs
/// here as well. Idle grains stay for an hour, so nothing is collected while a harness measures.
/// </summary>
internal sealed class InProcessSilo : IAsyncDisposable
{
    private readonly WebApplication app;

    private InProcessSilo(WebApplication app, IReadOnlyList<string> childIds)
    {
        this.app = app;
        ChildIds = childIds;
    }

    public IReadOnlyList<string> ChildIds { get; }

    public IGrainFactory Grains => app.Services.GetRequiredService<IGrainFactory>();

    /// <summary>Seeds <paramref name="count"/> files (before the silo starts, so seeding is not in any figure), then starts the silo.</summary>
    public static async Task<InProcessSilo> StartAsync(int count)
    {
        var folder = Directory.CreateTempSubdirectory("tongxin-grains-").FullName;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = folder });
        builder.Configuration["Database:ConnectionString"] = $"Data Source={Path.Combine(folder, "grains.db")}";
        builder.Configuration["Encryption:FieldKey"] = Convert.ToBase64String(new byte[32]);
        builder.Configuration["Grains:IdleTimeout"] = "01:00:00";
        builder.Configuration["Matching:AutoRun"] = "false";
        builder.Logging.ClearProviders();
        builder.AddTongxinHost();
        var app = builder.Build();
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
        return new InProcessSilo(app, ids);
    }

    /// <summary>
    /// Activates every child's grain (its file loaded from the database) through <see cref="IChildGrain.ReadFileAsync"/>,
    /// a thousand at a time, so each also holds the view a read answers with; returns how many answered with their own file.
    /// </summary>
    public async Task<int> ActivateEveryChildAsync()
    {
        var withTheirFile = 0;
        foreach (var slice in ChildIds.Chunk(1000))
        {
            var reads = await Task.WhenAll(slice.Select(id => Grains.GetGrain<IChildGrain>(id).ReadFileAsync()));
            withTheirFile += slice.Where((id, i) => reads[i].View.Id == id && reads[i].RegionPath.Length > 0).Count();
        }
        return withTheirFile;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
