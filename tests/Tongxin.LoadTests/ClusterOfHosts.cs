using System.Globalization;
using Tongxin.IntegrationTests.Infrastructure;

namespace Tongxin.LoadTests;

/// <summary>
/// Host processes forming one Orleans cluster as a province runs them (README, "Several hosts"): one PostgreSQL
/// database of the harness's own, one redis-server with its append-only file (membership, reminders and the shared
/// cache), each host on its own loopback HTTP and silo ports. The harness's own equivalent of the integration tests'
/// <c>HostCluster</c>, without xunit: a host that will not start throws, with its output.
/// </summary>
internal sealed class ClusterOfHosts : IAsyncDisposable
{
    private readonly RedisServer redis;
    private readonly ScratchPostgres database;
    private readonly Dictionary<string, string> settings;
    private readonly List<HostProcess> hosts = [];
    private readonly Dictionary<HostProcess, int> siloPorts = [];

    private ClusterOfHosts(RedisServer redis, ScratchPostgres database, Dictionary<string, string> settings)
    {
        this.redis = redis;
        this.database = database;
        this.settings = settings;
    }

    public HostProcess this[int index] => hosts[index];

    public static async Task<ClusterOfHosts> StartAsync(int count)
    {
        // Membership must survive a Redis restart (ADR 0016): the append-only file, in a folder of its own.
        var redis = await RedisServer.StartAsync("--appendonly", "yes", "--dir", Directory.CreateTempSubdirectory("tongxin-redis-").FullName);
        var database = ScratchPostgres.New("tongxin_cluster");
        var cluster = new ClusterOfHosts(redis, database, new Dictionary<string, string>
        {
            ["Database__Provider"] = "PostgreSQL",
            ["Database__ConnectionString"] = database.ConnectionString,
            ["Bootstrap__AdminUserName"] = LoadTool.Admin,
            ["Bootstrap__AdminPassword"] = LoadTool.AdminPassword,
            // One key for all: a file's sealed notes must open on whichever host reads them.
            ["Encryption__FieldKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            ["Logging__LogLevel__Default"] = "Warning",
            ["Cluster__Membership"] = "Redis",
            ["Cluster__Redis"] = redis.Configuration,
            ["Cluster__Id"] = "load-" + Guid.NewGuid().ToString("N")[..8],
            ["Cache__Provider"] = "Redis",
            ["Cache__Redis__Configuration"] = redis.Configuration,
        });
        try
        {
            // The first alone: it creates the database and the first administrator before the others join.
            cluster.hosts.Add(await cluster.StartHostAsync());
            var others = await Task.WhenAll(Enumerable.Range(1, count - 1).Select(_ => cluster.StartHostAsync()));
            cluster.hosts.AddRange(others);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Whether a silo address (<c>S127.0.0.1:port:generation</c>) is <paramref name="host"/>'s silo: its port is the one we gave it.</summary>
    public bool IsSiloOf(HostProcess host, string siloAddress) =>
        siloAddress.Contains($":{siloPorts[host]}:", StringComparison.Ordinal);

    /// <summary>Puts a new host (new ports) in the place of <paramref name="dead"/>, and waits until the cluster has <paramref name="members"/> active members again.</summary>
    public async Task ReplaceAsync(HostProcess dead, int members)
    {
        var index = hosts.IndexOf(dead);
        await dead.DisposeAsync();
        hosts[index] = await StartHostAsync();
        var admin = await LoadClient.LoginAsync(hosts[index].Address, LoadTool.Admin, LoadTool.AdminPassword);
        for (var attempt = 0; attempt < 300; attempt++)
        {
            var view = await admin.GetAsync("/api/cluster");
            if (view["silos"]!.AsArray().Count(s => s!["status"]!.GetValue<string>() == "active") == members)
            {
                return;
            }
            await Task.Delay(200);
        }
        throw new InvalidOperationException($"The cluster did not get back to {members} active members.");
    }

    private async Task<HostProcess> StartHostAsync()
    {
        var siloPort = HostProcess.FreePort();
        var host = HostProcess.Start(Directory.CreateTempSubdirectory("tongxin-silo-").FullName,
            new Dictionary<string, string>(settings) { ["Cluster__SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture) });
        lock (siloPorts)
        {
            siloPorts[host] = siloPort;
        }
        if (!await host.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90)))
        {
            var output = host.Output;
            await host.DisposeAsync();
            throw new InvalidOperationException($"A host did not start:\n{output}");
        }
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in hosts)
        {
            await host.DisposeAsync();
        }
        await redis.DisposeAsync();
        await database.DisposeAsync();
    }
}
