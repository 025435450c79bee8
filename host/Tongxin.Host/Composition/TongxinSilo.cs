using System.Net;
using System.Net.Sockets;
using Orleans.Configuration;
using Tongxin.Host.Grains;

namespace Tongxin.Host.Composition;

/// <summary><c>Orleans:*</c> settings: how this host's silo joins its cluster.</summary>
public sealed class SiloSettings
{
    public const string Section = "Orleans";

    /// <summary>
    /// The port silos talk on. Unset in the embedded default: a free port is taken at start, since no other host
    /// needs to find this one (and several hosts on one machine, as the tests run them, must not collide).
    /// </summary>
    public int? SiloPort { get; set; }

    /// <summary>An activation unused for this long is deactivated (Orleans' collection age), so memory stays bounded.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// The Orleans silo co-hosted in the web host (ADR 0014): each child, provider and contract is a grain with one
/// activation at a time. One host: localhost clustering, nothing to install.
/// </summary>
public static class TongxinSilo
{
    public static WebApplicationBuilder AddTongxinSilo(this WebApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection(SiloSettings.Section).Get<SiloSettings>() ?? new SiloSettings();
        // Orleans' own timers (membership, activation collection, reminders) run on real time. Without this they
        // would take the one TimeProvider the product registers, which tests replace with a clock they move.
        builder.Services.AddKeyedSingleton(KeyedService.AnyKey, TimeProvider.System);
        builder.UseOrleans(silo =>
        {
            // No gateway: the only client of this silo is the web host it lives in.
            silo.UseLocalhostClustering(siloPort: settings.SiloPort ?? FreePort(), gatewayPort: 0);
            // Incoming: outermost first. Faults see everything; the caller's culture is set before any text is read;
            // the audit row is pending before the grain's own filter (VersionedGrain) retries a stale write.
            silo.AddIncomingGrainCallFilter<GrainFaults>();
            silo.AddIncomingGrainCallFilter<CallerCulture>();
            silo.AddIncomingGrainCallFilter<AuditRowFlow>();
            silo.AddOutgoingGrainCallFilter<CallerCulture>();
            silo.AddOutgoingGrainCallFilter<AuditRowFlow>();
            silo.Configure<GrainCollectionOptions>(options => options.CollectionAge = settings.IdleTimeout);
        });
        return builder;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
