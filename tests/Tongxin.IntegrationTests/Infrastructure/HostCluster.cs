using Tongxin.Host.Persistence;
using Xunit;

namespace Tongxin.IntegrationTests.Infrastructure;

/// <summary>
/// Several real host processes as one Orleans cluster, the way a province runs them: one PostgreSQL database, one
/// redis-server holding the membership table and reminders (with its append-only file, as production must keep it),
/// each host on its own loopback ports, any host answering any request.
/// </summary>
public sealed class HostCluster : IAsyncDisposable
{
    private readonly Dictionary<string, string> _environment;
    private readonly List<HostProcess> _hosts = [];
    private readonly Dictionary<HostProcess, int> _siloPorts = [];

    private HostCluster(TestDatabase database, RedisServer redis, Dictionary<string, string> environment)
    {
        Database = database;
        Redis = redis;
        _environment = environment;
    }

    public TestDatabase Database { get; }

    public RedisServer Redis { get; }

    public IReadOnlyList<HostProcess> Hosts => _hosts;

    public HostProcess this[int index] => _hosts[index];

    /// <summary>
    /// Starts <paramref name="count"/> hosts (the first alone, so it migrates the database and makes the first admin
    /// before the others join). <paramref name="settings"/> are added as environment variables (<c>Section__Key</c>).
    /// </summary>
    public static async Task<HostCluster> StartAsync(int count, IReadOnlyDictionary<string, string>? settings = null)
    {
        var folder = Directory.CreateTempSubdirectory("tongxin-redis-").FullName;
        var redis = await RedisServer.StartAsync("--appendonly", "yes", "--dir", folder);
        var database = await TestDatabase.CreateAsync(DatabaseProvider.PostgreSQL);
        var environment = new Dictionary<string, string>
        {
            ["Database__Provider"] = "PostgreSQL",
            ["Database__ConnectionString"] = new Npgsql.NpgsqlConnectionStringBuilder(database.ConnectionString) { MaxPoolSize = 30 }.ConnectionString,
            ["Bootstrap__AdminUserName"] = TongxinApp.AdminUserName,
            ["Bootstrap__AdminPassword"] = TongxinApp.AdminPassword,
            ["Encryption__FieldKey"] = TongxinApp.FieldKey,
            ["RateLimits__ListsPerMinute"] = "1000000",
            ["Cluster__Membership"] = "Redis",
            ["Cluster__Redis"] = redis.Configuration,
            // A cluster of its own, whatever else this redis-server has seen.
            ["Cluster__Id"] = "test-" + Guid.NewGuid().ToString("N")[..8],
            ["Cache__Provider"] = "Redis",
            ["Cache__Redis__Configuration"] = redis.Configuration,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }
        var cluster = new HostCluster(database, redis, environment);
        try
        {
            await cluster.AddHostAsync();
            await Task.WhenAll(Enumerable.Range(1, count - 1).Select(_ => cluster.AddHostAsync()));
            return cluster;
        }
        catch
        {
            // A host that would not start fails the test; its redis-server and database must not outlive it.
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>True when <paramref name="siloAddress"/> (as <c>GET /api/cluster</c> shows it: <c>S127.0.0.1:port:generation</c>) is <paramref name="host"/>'s silo.</summary>
    public bool IsSiloOf(HostProcess host, string siloAddress) =>
        siloAddress.Contains($":{_siloPorts[host]}:", StringComparison.Ordinal);

    /// <summary>Starts one more host into the cluster and waits until it answers.</summary>
    public async Task<HostProcess> AddHostAsync()
    {
        var siloPort = HostProcess.FreePort();
        var host = HostProcess.Start(Directory.CreateTempSubdirectory("tongxin-silo-").FullName,
            new Dictionary<string, string>(_environment) { ["Cluster__SiloPort"] = siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        lock (_hosts)
        {
            _hosts.Add(host);
            _siloPorts[host] = siloPort;
        }
        Assert.True(await host.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90)), host.Output);
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }
        await Redis.DisposeAsync();
        await Database.DisposeAsync();
    }
}
