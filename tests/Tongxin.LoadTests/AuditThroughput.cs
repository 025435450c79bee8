using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tongxin.Host.Audit;
using Tongxin.Host.Composition;
using Tongxin.Host.Persistence;

namespace Tongxin.LoadTests;

/// <summary>
/// The audit log alone, in process (no HTTP): <c>concurrency</c> writers append rows as fast as their rows
/// commit, on a SQLite file (WAL, synchronous=FULL) or a fresh PostgreSQL database. Prints rows per second,
/// rows per transaction and this process's CPU per row: what one audited read pays for its row.
/// </summary>
internal static class AuditThroughput
{
    public static async Task<int> RunAsync(int rows, int concurrency, string? postgresConnection)
    {
        var folder = Directory.CreateTempSubdirectory("tongxin-audit-").FullName;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = folder });
        if (postgresConnection is null)
        {
            builder.Configuration["Database:ConnectionString"] = $"Data Source={Path.Combine(folder, "audit.db")}";
        }
        else
        {
            builder.Configuration["Database:Provider"] = "PostgreSQL";
            builder.Configuration["Database:ConnectionString"] = postgresConnection;
        }
        builder.Configuration["Encryption:FieldKey"] = Convert.ToBase64String(new byte[32]);
        builder.Configuration["Matching:AutoRun"] = "false";
        builder.Logging.ClearProviders();
        builder.AddTongxinHost();
        await using var app = builder.Build();
        await app.Services.MigrateTongxinDatabaseAsync();
        var log = app.Services.GetRequiredService<AuditLog>();

        async Task Writer(int from, int count)
        {
            for (var i = from; i < from + count; i++)
            {
                await log.AppendAsync(new AuditEntry
                {
                    Id = Ids.New(), At = DateTime.UtcNow, UserId = "01a2099126887100000000000000user", Role = "civil-affairs",
                    Action = "child.read", SubjectType = "child", SubjectId = "01a20991268871c985773995020b69b1", Outcome = AuditOutcomes.Done,
                });
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(w => Task.Run(() => Writer(w * 200, 200)))); // warm-up
        var batchesBefore = log.BatchesCommitted;
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var perWriter = rows / concurrency;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(w => Task.Run(() => Writer(w * perWriter, perWriter))));
        watch.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var written = perWriter * concurrency;
        var batches = log.BatchesCommitted - batchesBefore;
        Console.WriteLine($"audit log alone ({(postgresConnection is null ? "sqlite" : "postgres")}): {written} rows from {concurrency} writers in {watch.Elapsed.TotalSeconds:F2} s = {written / watch.Elapsed.TotalSeconds:F0} rows/s; " +
            $"{batches} transactions ({written / (double)Math.Max(1, batches):F1} rows each); {cpu.TotalMicroseconds / written:F1} µs CPU per row ({cpu / watch.Elapsed:F2} cores)");
        return 0;
    }
}
