using System.Net;
using System.Net.Sockets;
using Orleans.Configuration;
using Orleans.Hosting;
using StackExchange.Redis;
using Tongxin.Host.Grains;

namespace Tongxin.Host.Composition;

/// <summary>How hosts find each other.</summary>
public enum SiloMembership
{
    /// <summary>One host alone (the embedded default): nothing to install.</summary>
    Localhost,

    /// <summary>Several hosts as one cluster, their membership table (and reminders) in Redis (ADR 0016).</summary>
    Redis,
}

/// <summary>
/// <c>Cluster:*</c> settings: how this host's Orleans silo joins its cluster. (Not <c>Orleans:*</c>: Orleans reads
/// that section itself, for providers configured by name.)
/// </summary>
public sealed class SiloSettings
{
    public const string Section = "Cluster";

    public SiloMembership Membership { get; set; } = SiloMembership.Localhost;

    /// <summary>
    /// The Redis holding the membership table and reminders (<c>host:port[,password=…]</c>); unset: the cache's
    /// (<c>Cache:Redis:Configuration</c>). Redis must keep its data (AOF or a replica): restarted empty, it lets a
    /// new host start a second cluster beside the first.
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>Hosts with the same cluster id form one cluster; another deployment on the same Redis needs another.</summary>
    public string Id { get; set; } = "tongxin";

    /// <summary>
    /// The port silos talk on. Unset: a free port taken at start; the membership table tells the other hosts which
    /// (and several hosts on one machine, as the tests run them, must not collide).
    /// </summary>
    public int? SiloPort { get; set; }

    /// <summary>The address other hosts reach this one at; loopback unless set (set it when hosts are on several machines).</summary>
    public string? AdvertisedAddress { get; set; }

}

/// <summary><c>Grains:*</c> settings.</summary>
public sealed class GrainSettings
{
    public const string Section = "Grains";

    /// <summary>An activation unused for this long is deactivated (Orleans' collection age), so memory stays bounded.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// The Orleans silo co-hosted in the web host (ADR 0014): each child, provider and contract is a grain with one
/// activation in the cluster. One host: localhost clustering, nothing to install. Several hosts
/// (<c>Cluster:Membership=Redis</c>): one cluster through a membership table in Redis.
/// </summary>
public static class TongxinSilo
{
    /// <summary>
    /// A host that stops answering is declared dead after two missed probes of a second each, so its grains answer
    /// on another host about two seconds after a kill -9 (Orleans' defaults: 5 s × 3, then 11–20 s measured here;
    /// ARCHITECTURE.md). Meanwhile calls to them fail fast and answer 503 (<see cref="GrainFaults"/>).
    /// </summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);

    public const int MissedProbesLimit = 2;

    public static WebApplicationBuilder AddTongxinSilo(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var settings = configuration.GetSection(SiloSettings.Section).Get<SiloSettings>() ?? new SiloSettings();
        var grains = configuration.GetSection(GrainSettings.Section).Get<GrainSettings>() ?? new GrainSettings();
        // Orleans' own timers (membership, activation collection, reminders) run on real time. Without this they
        // would take the one TimeProvider the product registers, which tests replace with a clock they move.
        builder.Services.AddKeyedSingleton(KeyedService.AnyKey, TimeProvider.System);
        builder.UseOrleans(silo =>
        {
            var siloPort = settings.SiloPort ?? FreePort();
            if (settings.Membership == SiloMembership.Redis)
            {
                var redis = ConfigurationOptions.Parse(settings.Redis ?? configuration["Cache:Redis:Configuration"]
                    ?? throw new InvalidOperationException("Cluster:Membership is Redis but neither Cluster:Redis nor Cache:Redis:Configuration names a Redis server."));
                // Orleans' providers keep one connection each and must ride out a Redis restart.
                redis.AbortOnConnectFail = false;
                silo.Configure<ClusterOptions>(options =>
                {
                    options.ClusterId = settings.Id;
                    options.ServiceId = "tongxin";
                });
                // No gateway: the only client of each silo is the web host it lives in.
                silo.ConfigureEndpoints(AdvertisedAddress(settings), siloPort, gatewayPort: 0, listenOnAnyHostAddress: settings.AdvertisedAddress is not null);
                silo.UseRedisClustering(options => options.ConfigurationOptions = redis.Clone());
                silo.UseRedisReminderService(options => options.ConfigurationOptions = redis.Clone());
                silo.Configure<ClusterMembershipOptions>(options =>
                {
                    options.ProbeTimeout = ProbeTimeout;
                    options.NumMissedProbesLimit = MissedProbesLimit;
                    // An operator may tune any of Orleans' liveness settings (Cluster:Liveness:ProbeTimeout …).
                    configuration.GetSection($"{SiloSettings.Section}:Liveness").Bind(options);
                });
            }
            else
            {
                silo.UseLocalhostClustering(siloPort: siloPort, gatewayPort: 0);
                // One host: reminders need not outlive it, since every start wakes what has work (the matchmakers).
                silo.UseInMemoryReminderService();
            }
            // Incoming: outermost first. Faults see everything; the caller's culture is set before any text is read;
            // the audit row is pending before the grain's own filter (VersionedGrain) retries a stale write.
            silo.AddIncomingGrainCallFilter<GrainFaults>();
            silo.AddIncomingGrainCallFilter<CallerCulture>();
            silo.AddIncomingGrainCallFilter<AuditRowFlow>();
            silo.AddOutgoingGrainCallFilter<CallerCulture>();
            silo.AddOutgoingGrainCallFilter<AuditRowFlow>();
            silo.Configure<GrainCollectionOptions>(options => options.CollectionAge = grains.IdleTimeout);
            // Orleans refuses reminders under a minute unless told; a matchmaker's period may be shorter (tests).
            var reminderPeriod = configuration.GetSection(Matching.MatchingOptions.Section).Get<Matching.MatchingOptions>()?.ReminderPeriod;
            silo.Configure<ReminderOptions>(options => options.MinimumReminderPeriod =
                reminderPeriod is { } period && period < options.MinimumReminderPeriod ? period : options.MinimumReminderPeriod);
        });
        return builder;
    }

    private static IPAddress AdvertisedAddress(SiloSettings settings) =>
        settings.AdvertisedAddress is { } address ? IPAddress.Parse(address) : IPAddress.Loopback;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
