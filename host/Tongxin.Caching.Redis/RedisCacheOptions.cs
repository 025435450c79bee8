namespace Tongxin.Caching.Redis;

/// <summary>Settings of <see cref="RedisDistributedCache"/> (bind from configuration, e.g. <c>Cache:Redis</c>).</summary>
public sealed class RedisCacheOptions
{
    /// <summary><c>host:port[,password=...][,user=...][,defaultDatabase=N]</c>. Other options (e.g. <c>ssl=</c>) are refused at start-up.</summary>
    public string Configuration { get; set; } = "127.0.0.1:6379";

    /// <summary>Prefix of every key, so several deployments (or a test and a production host) can share one Redis.</summary>
    public string InstanceName { get; set; } = "tongxin:";

    /// <summary>Longest wait for a TCP connection to be made (AUTH/SELECT on it then count as a command).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait for the reply to one cache operation. A command that times out counts as "Redis is down".</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>After Redis was found down, how long every call is a miss without touching the network before one call tries again.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>At most this many TCP connections for async calls, and as many for sync calls (kept apart so
    /// blocked sync callers cannot starve async ones); each connection serves one operation at a time.</summary>
    public int PoolSize { get; set; } = 4;
}
