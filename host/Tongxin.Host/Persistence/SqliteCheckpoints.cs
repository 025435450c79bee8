using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Tongxin.Host.Persistence;

/// <summary><c>Database:CheckpointEvery</c>: how often the SQLite write-ahead log is copied into the database file.</summary>
public sealed class SqliteCheckpointOptions
{
    public TimeSpan CheckpointEvery { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Copies the SQLite write-ahead log into the database file in the background (a passive checkpoint: it waits for
/// no reader or writer), so that no request's commit does it (<see cref="SqliteWriteGate"/> turns the automatic
/// checkpoint off for writers). Durability does not depend on it: a commit is durable once the log is flushed
/// (synchronous=FULL); the checkpoint only keeps the log short. At shutdown one last checkpoint leaves the database
/// file complete on its own.
/// </summary>
internal sealed class SqliteCheckpoints(IDbContextFactory<TongxinDbContext> databases, IOptions<SqliteCheckpointOptions> options, ILogger<SqliteCheckpoints> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CheckpointEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await CheckpointAsync("PRAGMA wal_checkpoint(PASSIVE);", stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await CheckpointAsync("PRAGMA wal_checkpoint(TRUNCATE);", CancellationToken.None);
    }

    private async Task CheckpointAsync(string pragma, CancellationToken cancellationToken)
    {
        try
        {
            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync(pragma, cancellationToken); // one of two constant statements
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The log only grows meanwhile; the next tick tries again.
            logger.LogWarning("The SQLite checkpoint ({Pragma}) did not run: {Error}", pragma, e.Message);
        }
    }
}
