using Tongxin.IntegrationTests.Infrastructure;

namespace Tongxin.LoadTests;

/// <summary>
/// Reading a file through the host (<c>GET /api/children/{id}</c>: Kestrel, token, MediatR, the batched read and its
/// audit row) against its floor (<see cref="BareFileRead"/>: one SELECT and one audit INSERT on the same database and
/// the same children, nothing else), with the same generator (<see cref="RawHttp"/>), the same requests and the same
/// ids. Each takes its turn, A B A B for <c>rounds</c> rounds, so drift on this shared machine falls on both: at a fixed
/// 5,000 reads a second for 10 s (p50/p99), then at saturation (64 connections, reads a second). Prints the ratios
/// ours/floor: how much of a read's cost is the product's own.
/// </summary>
internal static class FileReadFloor
{
    private const double Rate = 5_000;
    private const int SaturationConnections = 64;
    private const int SaturationReads = 20_000;
    private static readonly TimeSpan AtRateFor = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(HostProcess host, string database, string hostDatabase, int rounds)
    {
        // The county of the targets harness: 400 children with 6 contacts each, read by civil affairs.
        var county = await County.CreateAsync(host.Address, LoadTool.Admin, LoadTool.AdminPassword, towns: 2, villagesPerTown: 5, childrenPerVillage: 40);
        await county.AddContactHistoryAsync(await county.SignInDirectorsAsync(host.Address));
        var civil = await LoadClient.LoginAsync(host.Address, "civil", County.Password);
        var ids = county.Children.Select(c => c.Id).ToArray();

        // Started only now: the host has made the database and the children are in it.
        await using var floorProcess = await BareFileRead.StartAsync(database, hostDatabase);
        Console.WriteLine($"floor process {floorProcess.ProcessId} at {floorProcess.Address}");
        await using var ours = await Side.OpenAsync("host", host.Address, host.ProcessId, ids, civil.Token);
        await using var floor = await Side.OpenAsync("floor", floorProcess.Address, floorProcess.ProcessId, ids, civil.Token);

        // Warm-up, not measured: as the targets harness, long enough for tiered compilation to finish, then a pause.
        var warmUps = new[] { await ours.RunAsync("warm-up", 50_000), await floor.RunAsync("warm-up", 50_000) };
        if (warmUps.Any(w => w.Errors > 0))
        {
            // The floor answers 404 for an id it does not find: both must see the same children.
            Console.Error.WriteLine(string.Join(Environment.NewLine, warmUps.Select(w => w.ToString())));
            return 1;
        }
        await Task.Delay(TimeSpan.FromSeconds(3));

        var runs = new List<(Side Side, PhaseResult AtRate, PhaseResult Saturated)>();
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var side in new[] { ours, floor })
            {
                // Each side was idle while the other ran: a short warm-up again, as the targets harness does.
                await side.RunAsync("warm-up", 5_000);
                await Task.Delay(TimeSpan.FromSeconds(1));
                var atRate = await side.RunAtRateAsync();
                var saturated = await side.RunAsync($"GET /api/children/{{id}} {side.Name}", SaturationReads);
                runs.Add((side, atRate, saturated));
            }
        }

        Console.WriteLine();
        Console.WriteLine($"file reads, host against floor ({database}): {ids.Length} children (6 contacts each), {rounds} rounds A B A B");
        foreach (var (_, atRate, saturated) in runs)
        {
            Console.WriteLine(atRate);
            Console.WriteLine(saturated);
        }
        double Median(Side side, Func<(Side Side, PhaseResult AtRate, PhaseResult Saturated), double> figure) =>
            Phase.Median(runs.Where(r => r.Side == side).Select(figure));
        foreach (var side in new[] { ours, floor })
        {
            Console.WriteLine($"{side.Name,-5}: saturation {Median(side, r => r.Saturated.PerSecond),7:F0} reads/s (µs of its process's CPU a read: {Median(side, r => r.Saturated.HostCpuPerRequest):F0}); " +
                $"at {Rate:F0}/s p50 {Median(side, r => r.AtRate.P50):F1} ms, p99 {Median(side, r => r.AtRate.P99):F1} ms (µs CPU a read: {Median(side, r => r.AtRate.HostCpuPerRequest):F0})   (medians over {rounds} rounds)");
        }
        Console.WriteLine($"ours/floor: throughput {Median(ours, r => r.Saturated.PerSecond) / Median(floor, r => r.Saturated.PerSecond):F2}, " +
            $"p99 at {Rate:F0}/s {Median(ours, r => r.AtRate.P99) / Median(floor, r => r.AtRate.P99):F2}, " +
            $"CPU a read at saturation {Median(ours, r => r.Saturated.HostCpuPerRequest) / Median(floor, r => r.Saturated.HostCpuPerRequest):F2}");
        if (database != "postgres")
        {
            // Both sides read through this log, and its length is part of what each read costs (SQLite looks every page
            // up in the log's index first). The host's passive checkpoints copy it into the database file, but SQLite
            // starts it over only when no reader is using it, which under steady reads and writes does not happen.
            var log = new FileInfo(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(hostDatabase).DataSource + "-wal");
            Console.WriteLine($"SQLite write-ahead log at the end: {(log.Exists ? log.Length / 1024.0 / 1024.0 : 0):F0} MiB");
        }
        return runs.Sum(r => r.AtRate.Errors + r.Saturated.Errors) == 0 ? 0 : 1;
    }

    /// <summary>One of the two servers: its connections, its process (for its CPU figure), the same reads for both.</summary>
    private sealed class Side(string name, RawHttp raw, int processId, byte[][] reads) : IAsyncDisposable
    {
        public string Name { get; } = name;

        public static async Task<Side> OpenAsync(string name, Uri address, int processId, string[] ids, string token)
        {
            var raw = await RawHttp.OpenAsync(address, 256);
            // The same request bytes for both but the Host header; the floor ignores the token.
            return new Side(name, raw, processId, ids.Select(id => raw.Get($"/api/children/{id}", token)).ToArray());
        }

        public Task<PhaseResult> RunAsync(string route, int count)
        {
            Phase.HostProcessId = processId;
            return raw.RunAsync(route, SaturationConnections, count, i => reads[i % reads.Length]);
        }

        public Task<PhaseResult> RunAtRateAsync()
        {
            Phase.HostProcessId = processId;
            return raw.RunAtRateAsync($"GET /api/children/{{id}} {Name}", Rate, AtRateFor, i => reads[i % reads.Length]);
        }

        public ValueTask DisposeAsync() => raw.DisposeAsync();
    }
}
