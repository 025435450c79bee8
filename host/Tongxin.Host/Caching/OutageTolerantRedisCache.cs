using Microsoft.Extensions.Caching.Distributed;
using StackExchange.Redis;

namespace Tongxin.Host.Caching;

/// <summary>
/// The shared cache on Redis as the host uses it: Microsoft's <c>RedisCache</c> (set to fail fast by
/// <see cref="RedisCacheSettings"/>) with a Redis outage turned into a miss.
/// <para>
/// A cache only makes things faster; the database answers either way, so an unreachable Redis must not fail a
/// request. A call that cannot reach Redis (no connection, a timeout, a broken connection) returns a miss: Get
/// answers null, Set, Refresh and Remove do nothing. The first such failure logs one warning
/// (<c>RedisCacheDown</c>) and sets <see cref="IsAvailable"/> to false; for <see cref="RedisCacheSettings.RetryAfter"/>
/// every call is then a miss without trying Redis, after which one call at a time tries again. The first call
/// that succeeds logs one information line (<c>RedisCacheUp</c>). An error reply (<c>WRONGTYPE</c>, <c>OOM</c>) is a
/// miss too but proves Redis is up: logged at most once a minute (<c>RedisCacheRefused</c>), not an outage.
/// Still thrown: argument errors (null key, an absolute expiration in the past) and the caller's cancellation.
/// </para>
/// <para>
/// Callers that must know whether a write reached Redis read it back (<see cref="LookupCache"/> does, and re-sends
/// an invalidation that did not once Redis is back).
/// </para>
/// </summary>
public sealed class OutageTolerantRedisCache : IDistributedCache, IDisposable
{
    private static readonly Action<ILogger, string, string, double, Exception?> LogDown = LoggerMessage.Define<string, string, double>(
        LogLevel.Warning, new EventId(1, "RedisCacheDown"),
        "Redis cache at {Endpoint} is unavailable ({Reason}): reads are misses and writes are skipped; next try in {RetryAfterSeconds} s.");

    private static readonly Action<ILogger, string, double, Exception?> LogUp = LoggerMessage.Define<string, double>(
        LogLevel.Information, new EventId(2, "RedisCacheUp"),
        "Redis cache at {Endpoint} is available again after {DownSeconds:0.0} s.");

    private static readonly Action<ILogger, string, string, string, Exception?> LogRefused = LoggerMessage.Define<string, string, string>(
        LogLevel.Warning, new EventId(3, "RedisCacheRefused"),
        "Redis cache at {Endpoint} refused {Operation}: {Error}. Treated as a miss (not repeated for a minute).");

    private static readonly long RefusedLogIntervalMs = (long)TimeSpan.FromMinutes(1).TotalMilliseconds;

    private readonly IDistributedCache _redis;
    private readonly string _endpoint;
    private readonly long _retryAfterMs;
    private readonly ILogger _logger;

    // Shared by all callers. Times are Environment.TickCount64 (monotonic ms).
    private int _down;              // 0 = up, 1 = down; flipped with CompareExchange so each transition logs once
    private int _downEpoch;         // +1 at each up->down transition
    private long _downSince;
    private long _retryAt;          // while down, calls before this time are misses without trying Redis
    private int _probing;           // while down, 1 = one caller is trying Redis; the others stay misses
    private long _nextRefusedLog;
    private int _disposed;

    public OutageTolerantRedisCache(IDistributedCache redis, string endpoint, TimeSpan retryAfter, ILogger<OutageTolerantRedisCache> logger)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(logger);
        _redis = redis;
        _endpoint = endpoint;
        _retryAfterMs = (long)Math.Max(0, retryAfter.TotalMilliseconds);
        _logger = logger;
    }

    /// <summary>False from the first failed call after Redis went away until a call succeeds again.</summary>
    public bool IsAvailable => Volatile.Read(ref _down) == 0;

    public byte[]? Get(string key) => Completed(GuardAsync<byte[]?>("GET", null, () => ValueTask.FromResult(_redis.Get(key)), CancellationToken.None));

    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) =>
        GuardAsync<byte[]?>("GET", null, () => new ValueTask<byte[]?>(_redis.GetAsync(key, token)), token).AsTask();

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => Completed(Guard("SET", () => _redis.Set(key, value, options)));

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
        GuardAsync("SET", () => _redis.SetAsync(key, value, options, token), token).AsTask();

    public void Refresh(string key) => Completed(Guard("REFRESH", () => _redis.Refresh(key)));

    public Task RefreshAsync(string key, CancellationToken token = default) => GuardAsync("REFRESH", () => _redis.RefreshAsync(key, token), token).AsTask();

    public void Remove(string key) => Completed(Guard("REMOVE", () => _redis.Remove(key)));

    public Task RemoveAsync(string key, CancellationToken token = default) => GuardAsync("REMOVE", () => _redis.RemoveAsync(key, token), token).AsTask();

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            (_redis as IDisposable)?.Dispose();
        }
    }

    private ValueTask<bool> Guard(string operation, Action call) => GuardAsync(operation, false, () =>
    {
        call();
        return ValueTask.FromResult(true);
    }, CancellationToken.None);

    private ValueTask<bool> GuardAsync(string operation, Func<Task> call, CancellationToken token) => GuardAsync(operation, false, async () =>
    {
        await call().ConfigureAwait(false);
        return true;
    }, token);

    /// <summary>
    /// Runs one call under the outage rules: skipped while Redis is known down and <see cref="RedisCacheSettings.RetryAfter"/>
    /// has not passed; a failure to reach Redis marks it down (logged once) and answers <paramref name="miss"/>; a
    /// success after being down marks it up (logged once). A sync caller passes a call that completes synchronously,
    /// so this completes synchronously too and no thread waits on another.
    /// </summary>
    private async ValueTask<T> GuardAsync<T>(string operation, T miss, Func<ValueTask<T>> call, CancellationToken token)
    {
        token.ThrowIfCancellationRequested();
        var epoch = Volatile.Read(ref _downEpoch);
        var probing = false;
        if (Volatile.Read(ref _disposed) == 1)
        {
            return miss; // the host is stopping: a background caller gets a miss, not an ObjectDisposedException
        }
        if (Volatile.Read(ref _down) == 1)
        {
            if (Environment.TickCount64 < Volatile.Read(ref _retryAt) || Interlocked.CompareExchange(ref _probing, 1, 0) != 0)
            {
                return miss; // known down: no network, no log
            }
            probing = true;
        }
        try
        {
            var result = await call().ConfigureAwait(false);
            MarkUp(epoch);
            return result;
        }
        catch (RedisServerException exception)
        {
            MarkUp(epoch); // it answered, so it is up; the command itself was refused
            LogRefusedNow(operation, exception);
            return miss;
        }
        catch (Exception exception) when (IsOutage(exception, token))
        {
            if (Volatile.Read(ref _disposed) == 0)
            {
                MarkDown(exception);
            }
            return miss;
        }
        finally
        {
            if (probing)
            {
                Volatile.Write(ref _probing, 0);
            }
        }
    }

    /// <summary>
    /// Whether <paramref name="exception"/> means "Redis cannot be used now". Besides its own exceptions, StackExchange.Redis
    /// 2.13 lets two others out while a connection breaks (both seen with Redis paused): a timed-out call as a cancelled
    /// task, and its connection's pipe completed under a call ("Reading is not allowed after reader was completed").
    /// The caller's own cancellation is not an outage.
    /// </summary>
    private static bool IsOutage(Exception exception, CancellationToken token) => exception switch
    {
        OperationCanceledException => !token.IsCancellationRequested,
        RedisException or RedisTimeoutException or ObjectDisposedException => true,
        InvalidOperationException { Source: "StackExchange.Redis" or "System.IO.Pipelines" or "Pipelines.Sockets.Unofficial" } => true,
        _ => false,
    };

    private void MarkDown(Exception exception)
    {
        var now = Environment.TickCount64;
        Volatile.Write(ref _retryAt, now + _retryAfterMs);
        if (Interlocked.CompareExchange(ref _down, 1, 0) == 0)
        {
            Interlocked.Increment(ref _downEpoch);
            Volatile.Write(ref _downSince, now);
            LogDown(_logger, _endpoint, exception.GetType().Name, _retryAfterMs / 1000.0, exception);
        }
    }

    /// <summary>Marks Redis up after a success, unless that call started before Redis was last marked down (a slow
    /// call finishing late proves nothing and would make the log flap).</summary>
    private void MarkUp(int epochAtStart)
    {
        if (Volatile.Read(ref _down) == 1 && epochAtStart == Volatile.Read(ref _downEpoch) && Interlocked.CompareExchange(ref _down, 0, 1) == 1)
        {
            LogUp(_logger, _endpoint, (Environment.TickCount64 - Volatile.Read(ref _downSince)) / 1000.0, null);
        }
    }

    private void LogRefusedNow(string operation, RedisServerException exception)
    {
        var now = Environment.TickCount64;
        var next = Volatile.Read(ref _nextRefusedLog);
        if (now >= next && Interlocked.CompareExchange(ref _nextRefusedLog, now + RefusedLogIntervalMs, next) == next)
        {
            LogRefused(_logger, _endpoint, operation, exception.Message, null);
        }
    }

    private static T Completed<T>(ValueTask<T> pending) => pending.IsCompleted ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
}
