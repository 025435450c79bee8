using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Tongxin.Caching.Redis;

public static class RedisCacheServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="RedisDistributedCache"/> as the <see cref="IDistributedCache"/> singleton (replacing
    /// any earlier registration, e.g. AddDistributedMemoryCache) and as itself, so a health check can read
    /// <see cref="RedisDistributedCache.IsAvailable"/>. The options are validated when the host starts: a
    /// malformed <see cref="RedisCacheOptions.Configuration"/> stops start-up, an unreachable server does not.
    /// </summary>
    public static IServiceCollection AddTongxinRedisCache(this IServiceCollection services, Action<RedisCacheOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<RedisCacheOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisCacheOptions>, RedisCacheOptionsValidator>());
        services.AddLogging();
        services.TryAddSingleton<RedisDistributedCache>();
        services.RemoveAll<IDistributedCache>();
        services.AddSingleton<IDistributedCache>(provider => provider.GetRequiredService<RedisDistributedCache>());
        return services;
    }

    private sealed class RedisCacheOptionsValidator : IValidateOptions<RedisCacheOptions>
    {
        public ValidateOptionsResult Validate(string? name, RedisCacheOptions options)
        {
            var failures = new List<string>();
            try
            {
                RedisEndpoint.Parse(options.Configuration);
            }
            catch (FormatException exception)
            {
                failures.Add($"Cache Redis Configuration '{Redact(options.Configuration)}': {exception.Message}");
            }
            if (options.ConnectTimeout <= TimeSpan.Zero)
            {
                failures.Add("Cache Redis ConnectTimeout must be positive.");
            }
            if (options.CommandTimeout <= TimeSpan.Zero)
            {
                failures.Add("Cache Redis CommandTimeout must be positive.");
            }
            if (options.RetryAfter < TimeSpan.Zero)
            {
                failures.Add("Cache Redis RetryAfter must not be negative.");
            }
            if (options.PoolSize < 1)
            {
                failures.Add("Cache Redis PoolSize must be at least 1.");
            }
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }

        /// <summary>The configuration string without its password, for the error message.</summary>
        private static string Redact(string? configuration) => string.Join(',',
            (configuration ?? "").Split(',').Select(part => part.Trim().StartsWith("password=", StringComparison.OrdinalIgnoreCase) ? "password=***" : part));
    }
}
