using System.Net;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Tongxin.Host.Caching;

/// <summary>
/// <c>Cache:Redis:*</c>, read when <c>Cache:Provider</c> is Redis: where the shared cache is and how long a call may
/// wait for it. Turned into StackExchange.Redis' <see cref="ConfigurationOptions"/> by <see cref="ToConfigurationOptions"/>.
/// </summary>
public sealed class RedisCacheSettings
{
    public const string Section = "Cache:Redis";

    /// <summary>
    /// <c>host:port[,password=…][,user=…][,defaultDatabase=N]</c>, in StackExchange.Redis' syntax (its other options,
    /// such as <c>ssl=true</c>, work too). The timeouts and the fail-fast options below override any given here.
    /// </summary>
    public string Configuration { get; set; } = "127.0.0.1:6379";

    /// <summary>Prefix of every key, so several deployments (or a test and a production host) can share one Redis.</summary>
    public string InstanceName { get; set; } = "tongxin:";

    /// <summary>Longest wait for a connection to be made, the first one and each reconnect.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Longest wait for the reply to one call, sync or async (StackExchange.Redis' SyncTimeout and AsyncTimeout,
    /// 5 s by default: a request would wait that long on every cache call while Redis hangs). A timeout counts as
    /// "Redis is down".
    /// </summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// After Redis was found down: how long every call is a miss without trying Redis (so a hung Redis costs one
    /// caller a <see cref="CommandTimeout"/> per interval, not every caller), and how often the connection is
    /// re-made meanwhile.
    /// </summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// StackExchange.Redis' options for <see cref="Configuration"/>, made to fail fast: a call while Redis is
    /// unreachable throws at once instead of waiting in a backlog for a connection (<see cref="BacklogPolicy.FailFast"/>),
    /// and a Redis down when the host starts does not stop the start (<see cref="ConfigurationOptions.AbortOnConnectFail"/>).
    /// </summary>
    public ConfigurationOptions ToConfigurationOptions()
    {
        var options = ConfigurationOptions.Parse(Configuration);
        options.SetDefaultPorts();
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ConnectTimeout = Milliseconds(ConnectTimeout);
        // One try at the first connect, not three: with Redis down when the host starts, the first call answers (a
        // miss) at once instead of after the retries; the connection is re-made in the background either way.
        options.ConnectRetry = 1;
        options.SyncTimeout = options.AsyncTimeout = Milliseconds(CommandTimeout);
        // The default policy backs off exponentially up to 10 s between reconnects: after a long outage the cache
        // would stay unused for seconds after Redis is back. A reconnect attempt to a down Redis costs next to nothing.
        options.ReconnectRetryPolicy = new LinearRetry(Milliseconds(RetryAfter));
        return options;
    }

    /// <summary>The servers, for log lines (never the password).</summary>
    internal static string Endpoints(ConfigurationOptions options) =>
        string.Join(',', options.EndPoints.Select(endpoint => endpoint is DnsEndPoint dns ? $"{dns.Host}:{dns.Port}" : endpoint.ToString()));

    private static int Milliseconds(TimeSpan value) => (int)Math.Clamp(Math.Ceiling(value.TotalMilliseconds), 1, int.MaxValue);
}

public static class RedisCacheRegistration
{
    /// <summary>
    /// Registers Microsoft's <see cref="RedisCache"/> behind <see cref="OutageTolerantRedisCache"/> as the
    /// <see cref="IDistributedCache"/> singleton (replacing any earlier one, e.g. AddDistributedMemoryCache) and as
    /// itself, for <see cref="OutageTolerantRedisCache.IsAvailable"/>. The settings are validated when the host
    /// starts: a malformed configuration string stops the start, an unreachable server does not.
    /// </summary>
    public static IServiceCollection AddTongxinRedisCache(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RedisCacheSettings>().Bind(configuration.GetSection(RedisCacheSettings.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisCacheSettings>, RedisCacheSettingsValidator>());
        services.TryAddSingleton(provider =>
        {
            var settings = provider.GetRequiredService<IOptions<RedisCacheSettings>>().Value;
            var options = settings.ToConfigurationOptions();
            // No LoggerFactory in the options: StackExchange.Redis would log every failed reconnect, and an outage is
            // to be logged once each way, by the decorator.
            var redis = new RedisCache(Options.Create(new RedisCacheOptions { ConfigurationOptions = options, InstanceName = settings.InstanceName }));
            return new OutageTolerantRedisCache(
                redis, RedisCacheSettings.Endpoints(options), settings.RetryAfter, provider.GetRequiredService<ILogger<OutageTolerantRedisCache>>());
        });
        services.RemoveAll<IDistributedCache>();
        services.AddSingleton<IDistributedCache>(provider => provider.GetRequiredService<OutageTolerantRedisCache>());
        return services;
    }

    private sealed class RedisCacheSettingsValidator : IValidateOptions<RedisCacheSettings>
    {
        public ValidateOptionsResult Validate(string? name, RedisCacheSettings settings)
        {
            var failures = new List<string>();
            try
            {
                if (settings.ToConfigurationOptions().EndPoints.Count == 0)
                {
                    failures.Add($"Cache:Redis:Configuration '{Redact(settings.Configuration)}' names no server.");
                }
            }
            catch (Exception exception) when (exception is ArgumentException or FormatException or NotSupportedException)
            {
                failures.Add($"Cache:Redis:Configuration '{Redact(settings.Configuration)}': {exception.Message}");
            }
            foreach (var (setting, value) in new[] { ("ConnectTimeout", settings.ConnectTimeout), ("CommandTimeout", settings.CommandTimeout) })
            {
                if (value <= TimeSpan.Zero)
                {
                    failures.Add($"Cache:Redis:{setting} must be positive.");
                }
            }
            if (settings.RetryAfter < TimeSpan.Zero)
            {
                failures.Add("Cache:Redis:RetryAfter must not be negative.");
            }
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }

        /// <summary>The configuration string without its password, for the error message.</summary>
        private static string Redact(string? configuration) => string.Join(',',
            (configuration ?? "").Split(',').Select(part => part.Trim().StartsWith("password=", StringComparison.OrdinalIgnoreCase) ? "password=***" : part));
    }
}
