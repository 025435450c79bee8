using System.Globalization;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Tongxin.Caching.Redis;

/// <summary>
/// <see cref="IDistributedCache"/> on Redis, over <see cref="RedisClient"/>.
/// <para>
/// Storage: each entry is a hash at <c>InstanceName + key</c> with the fields <c>data</c> (the bytes),
/// <c>absexp</c> (absolute expiry, Unix milliseconds UTC, -1 if none) and <c>sliding</c> (the sliding
/// window in milliseconds, -1 if none). The key's Redis TTL is min(sliding, absexp - now), or none.
/// Set writes DEL + HSET + PEXPIRE in one MULTI/EXEC, so a reader never sees a value without its TTL.
/// Get and Refresh re-arm PEXPIRE for sliding entries, never past absexp.
/// </para>
/// <para>
/// Redis down: a cache is an optimisation, so an unreachable Redis must not fail requests. Calls then
/// behave as misses (Get returns null; Set, Refresh and Remove do nothing), the transition is logged
/// once each way, and for <see cref="RedisCacheOptions.RetryAfter"/> no call touches the network; then
/// one call at a time probes again. Error replies (e.g. OOM) are misses too, logged at most once per
/// RetryAfter. Argument errors and the caller's cancellation are still thrown.
/// </para>
/// </summary>
public sealed class RedisDistributedCache : IDistributedCache, IDisposable
{
    private const string DataField = "data";
    private const string AbsoluteField = "absexp";
    private const string SlidingField = "sliding";
    private const long NotPresent = -1;

    private static readonly Action<ILogger, string, double, string, Exception?> LogDown = LoggerMessage.Define<string, double, string>(
        LogLevel.Warning, new EventId(1, "RedisCacheDown"),
        "Redis cache at {Endpoint} is unavailable: reads are misses and writes are skipped; next try in {RetryAfterSeconds} s. {Reason}");

    private static readonly Action<ILogger, string, double, Exception?> LogUp = LoggerMessage.Define<string, double>(
        LogLevel.Information, new EventId(2, "RedisCacheUp"),
        "Redis cache at {Endpoint} is available again after {DownSeconds:0.0} s.");

    private static readonly Action<ILogger, string, string, string, Exception?> LogServerError = LoggerMessage.Define<string, string, string>(
        LogLevel.Warning, new EventId(3, "RedisCacheServerError"),
        "Redis cache at {Endpoint} refused {Operation}: {Error}. Treated as a miss (this message is not repeated for a while).");

    private readonly RedisClient _client;
    private readonly string _prefix;
    private readonly long _retryAfterMs;
    private readonly ILogger _logger;
    private readonly string _endpoint;

    // Availability state, shared by all callers. Times are Environment.TickCount64 (monotonic ms).
    private int _down;                 // 0 = up, 1 = down; flipped with CompareExchange so each transition logs once
    private int _downEpoch;            // +1 at each up->down transition
    private long _downSince;
    private long _retryAt;             // while down, calls before this time are misses without network
    private int _probing;              // while down, 1 = one caller is trying the server; the others stay misses
    private long _nextServerErrorLog;

    public RedisDistributedCache(IOptions<RedisCacheOptions> options, ILogger<RedisDistributedCache> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        var settings = options.Value;
        _client = new RedisClient(RedisClientSettings.From(settings));
        _prefix = settings.InstanceName ?? "";
        _retryAfterMs = (long)Math.Max(0, settings.RetryAfter.TotalMilliseconds);
        _logger = logger;
        _endpoint = _client.Endpoint.ToString();
    }

    /// <summary>False from the first failed call after Redis went away until a call succeeds again.</summary>
    public bool IsAvailable => Volatile.Read(ref _down) == 0;

    public byte[]? Get(string key) => Run(GetCoreAsync(key, useAsync: false, CancellationToken.None));

    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => GetCoreAsync(key, useAsync: true, token).AsTask();

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => Run(SetCoreAsync(key, value, options, useAsync: false, CancellationToken.None));

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
        SetCoreAsync(key, value, options, useAsync: true, token).AsTask();

    public void Refresh(string key) => Run(RefreshCoreAsync(key, useAsync: false, CancellationToken.None));

    public Task RefreshAsync(string key, CancellationToken token = default) => RefreshCoreAsync(key, useAsync: true, token).AsTask();

    public void Remove(string key) => Run(RemoveCoreAsync(key, useAsync: false, CancellationToken.None));

    public Task RemoveAsync(string key, CancellationToken token = default) => RemoveCoreAsync(key, useAsync: true, token).AsTask();

    public void Dispose() => _client.Dispose();

    private async ValueTask<byte[]?> GetCoreAsync(string key, bool useAsync, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(key);
        token.ThrowIfCancellationRequested();
        var redisKey = _prefix + key;
        return await GuardAsync<byte[]?>("HMGET", null, async () =>
        {
            var fields = await SendAsync(["HMGET", redisKey, AbsoluteField, SlidingField, DataField], useAsync, token).ConfigureAwait(false);
            var data = fields.Items is [_, _, var dataReply] ? dataReply.Bulk : null;
            if (data is not null)
            {
                await ExtendSlidingAsync(redisKey, fields.Items![0], fields.Items[1], useAsync, token).ConfigureAwait(false);
            }
            return data;
        }).ConfigureAwait(false);
    }

    private async ValueTask<bool> SetCoreAsync(string key, byte[] value, DistributedCacheEntryOptions options, bool useAsync, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(options);
        token.ThrowIfCancellationRequested();

        // Same rules as Microsoft's caches: relative-to-now wins over absolute; an absolute time in the past is an error.
        var now = DateTimeOffset.UtcNow;
        DateTimeOffset? absolute = null;
        if (options.AbsoluteExpirationRelativeToNow is { } relative)
        {
            absolute = now + relative;
        }
        else if (options.AbsoluteExpiration is { } at)
        {
            if (at <= now)
            {
                throw new ArgumentOutOfRangeException(nameof(options), at, "The absolute expiration value must be in the future.");
            }
            absolute = at;
        }
        var absoluteMs = absolute?.ToUnixTimeMilliseconds() ?? NotPresent;
        var slidingMs = options.SlidingExpiration is { } sliding ? Math.Max(1, (long)Math.Ceiling(sliding.TotalMilliseconds)) : NotPresent;
        var ttl = TimeToLive(now.ToUnixTimeMilliseconds(), absoluteMs, slidingMs);

        var redisKey = _prefix + key;
        var commands = new List<object[]>(5)
        {
            new object[] { "MULTI" },
            new object[] { "DEL", redisKey }, // fields of an earlier entry (e.g. its sliding window) must not survive
            new object[] { "HSET", redisKey, AbsoluteField, absoluteMs, SlidingField, slidingMs, DataField, value },
        };
        if (ttl != NotPresent)
        {
            commands.Add(["PEXPIRE", redisKey, ttl]);
        }
        commands.Add(["EXEC"]);

        return await GuardAsync("SET (MULTI/EXEC)", false, async () =>
        {
            var replies = await _client.ExecuteCoreAsync(commands, useAsync, token).ConfigureAwait(false);
            foreach (var reply in replies)
            {
                reply.ThrowIfError();
            }
            // EXEC's array holds each queued command's own reply, errors included.
            foreach (var inner in replies[^1].Items ?? [])
            {
                inner.ThrowIfError();
            }
            return true;
        }).ConfigureAwait(false);
    }

    private async ValueTask<bool> RefreshCoreAsync(string key, bool useAsync, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(key);
        token.ThrowIfCancellationRequested();
        var redisKey = _prefix + key;
        return await GuardAsync("REFRESH", false, async () =>
        {
            var fields = await SendAsync(["HMGET", redisKey, AbsoluteField, SlidingField], useAsync, token).ConfigureAwait(false);
            if (fields.Items is [var absolute, var sliding])
            {
                await ExtendSlidingAsync(redisKey, absolute, sliding, useAsync, token).ConfigureAwait(false);
            }
            return true;
        }).ConfigureAwait(false);
    }

    private async ValueTask<bool> RemoveCoreAsync(string key, bool useAsync, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(key);
        token.ThrowIfCancellationRequested();
        var redisKey = _prefix + key;
        return await GuardAsync("DEL", false, async () =>
        {
            await SendAsync(["DEL", redisKey], useAsync, token).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
    }

    /// <summary>For an entry with a sliding window, sets its TTL to the window again (capped by its absolute expiry).</summary>
    private async ValueTask ExtendSlidingAsync(string redisKey, RespReply absoluteField, RespReply slidingField, bool useAsync, CancellationToken token)
    {
        var sliding = ParseField(slidingField);
        if (sliding == NotPresent)
        {
            return; // no sliding window (or no entry): nothing to extend
        }
        var ttl = TimeToLive(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), ParseField(absoluteField), sliding);
        if (ttl > 0)
        {
            await SendAsync(["PEXPIRE", redisKey, ttl], useAsync, token).ConfigureAwait(false);
        }
    }

    /// <summary>Milliseconds the key should live from <paramref name="nowMs"/>: the sliding window, capped
    /// by the absolute expiry; -1 (<see cref="NotPresent"/>) for an entry that never expires.</summary>
    private static long TimeToLive(long nowMs, long absoluteMs, long slidingMs)
    {
        if (absoluteMs == NotPresent)
        {
            return slidingMs;
        }
        var remaining = Math.Max(1, absoluteMs - nowMs);
        return slidingMs == NotPresent ? remaining : Math.Min(slidingMs, remaining);
    }

    private static long ParseField(RespReply field) =>
        field.Bulk is { } bytes && long.TryParse(bytes, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : NotPresent;

    private async ValueTask<RespReply> SendAsync(object[] command, bool useAsync, CancellationToken token) =>
        (await _client.ExecuteCoreAsync([command], useAsync, token).ConfigureAwait(false))[0].ThrowIfError();

    /// <summary>
    /// Runs one cache operation under the down-behaviour: skipped while Redis is known to be down and the
    /// back-off has not passed; a connection failure marks it down (logged once) and returns
    /// <paramref name="fallback"/>; a success after being down marks it up (logged once).
    /// </summary>
    private async ValueTask<T> GuardAsync<T>(string operation, T fallback, Func<ValueTask<T>> body)
    {
        var probing = false;
        var epoch = Volatile.Read(ref _downEpoch);
        if (Volatile.Read(ref _down) == 1)
        {
            if (Environment.TickCount64 < Volatile.Read(ref _retryAt) || Interlocked.CompareExchange(ref _probing, 1, 0) != 0)
            {
                return fallback; // known down: no network, no log
            }
            probing = true;
        }
        try
        {
            var result = await body().ConfigureAwait(false);
            MarkUp(epoch);
            return result;
        }
        catch (RedisConnectionException exception)
        {
            MarkDown(exception);
            return fallback;
        }
        catch (RedisServerException exception)
        {
            MarkUp(epoch); // it answered, so it is up; the command itself was refused
            var now = Environment.TickCount64;
            var next = Volatile.Read(ref _nextServerErrorLog);
            if (now >= next && Interlocked.CompareExchange(ref _nextServerErrorLog, now + Math.Max(_retryAfterMs, 1000), next) == next)
            {
                LogServerError(_logger, _endpoint, operation, exception.Message, null);
            }
            return fallback;
        }
        finally
        {
            if (probing)
            {
                Volatile.Write(ref _probing, 0);
            }
        }
    }

    private void MarkDown(RedisConnectionException exception)
    {
        var now = Environment.TickCount64;
        Volatile.Write(ref _retryAt, now + _retryAfterMs);
        if (Interlocked.CompareExchange(ref _down, 1, 0) == 0)
        {
            Interlocked.Increment(ref _downEpoch);
            Volatile.Write(ref _downSince, now);
            LogDown(_logger, _endpoint, _retryAfterMs / 1000.0, exception.Message, exception);
        }
    }

    /// <summary>Marks Redis up after a success, unless that call started before Redis was last marked
    /// down (a slow call finishing late proves nothing and would make the log flap).</summary>
    private void MarkUp(int epochAtStart)
    {
        if (Volatile.Read(ref _down) == 1 && epochAtStart == Volatile.Read(ref _downEpoch) && Interlocked.CompareExchange(ref _down, 0, 1) == 1)
        {
            LogUp(_logger, _endpoint, (Environment.TickCount64 - Volatile.Read(ref _downSince)) / 1000.0, null);
        }
    }

    private static T Run<T>(ValueTask<T> pending) => pending.IsCompleted ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
}
