using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Options;

namespace Tongxin.Host.Caching;

/// <summary>
/// <c>Cache:Lookups:*</c>: reference data read on many requests (regions) kept in the shared cache
/// (docs/scale.md, "Shared cache"; docs/adr/0008-shared-cache-lookup-generations.md).
/// </summary>
public sealed class LookupCacheOptions
{
    public const string Section = "Cache:Lookups";

    /// <summary>
    /// Unset: on when <c>Cache:Provider</c> is Redis, off with the in-memory cache. A memory cache belongs to
    /// one process, so with several hosts on one database a region created on one host would stay unseen on
    /// the others until their entries expired; a host cannot tell whether it runs alone. True turns it on
    /// for a single host with the memory cache.
    /// </summary>
    public bool? Enabled { get; set; }

    /// <summary>
    /// Absolute expiry of every entry: the bound on staleness when an invalidation is lost (a host dies between
    /// its commit and its bump, or cannot reach Redis while other hosts can).
    /// </summary>
    public TimeSpan Expiry { get; set; } = TimeSpan.FromSeconds(30);

    internal static bool ResolveEnabled(IConfiguration configuration) =>
        configuration.GetValue<bool?>($"{Section}:Enabled")
        ?? string.Equals(configuration["Cache:Provider"], "Redis", StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// Families of lookups in <see cref="IDistributedCache"/>, each with a generation: a random token at
/// <c>lookups:{family}:generation</c> that is part of every entry's key. A change (after its commit) writes a
/// new token, so every host's next request reads keys nobody has written yet and goes to the database;
/// old entries are never read again and expire by themselves.
/// <para>
/// Failing safe. The cache hides failures (Redis down: reads miss, writes are skipped), so a bump counts
/// only when a read-back shows a token other than the one before it. When it does not, this host owes a
/// bump: until it has paid it (on its next lookup, or within a second by <see cref="LookupGenerationKeeper"/>)
/// it reads this family from the database and writes no entries. A host that finds no generation and
/// cannot write one owes one too, so every host that saw Redis down bumps before it trusts Redis again:
/// entries written before the outage are not read after it, even if Redis kept them and a change was
/// committed meanwhile. What remains: a host that made no lookup during the outage and reads after
/// Redis is back, but before the changing host has paid (within Redis's retry interval plus a second),
/// or a host that dies or is cut off from Redis alone after a commit — there the entry expiry
/// (<see cref="LookupCacheOptions.Expiry"/>) bounds how old an answer can be.
/// </para>
/// </summary>
public sealed class LookupCache
{
    private static readonly Action<ILogger, string, double, Exception?> LogOwed = LoggerMessage.Define<string, double>(
        LogLevel.Warning, new EventId(1, "LookupGenerationOwed"),
        "The shared cache did not take a new generation of {Family}: this host reads them from the database until it does; entries other hosts may still read expire within {ExpirySeconds} s.");

    private static readonly Action<ILogger, string, Exception?> LogPaid = LoggerMessage.Define<string>(
        LogLevel.Information, new EventId(2, "LookupGenerationPaid"),
        "The shared cache took a new generation of {Family}: this host reads them through the cache again.");

    // Enum names, not numbers: hosts of two builds may share one Redis during a rolling upgrade.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General) { Converters = { new JsonStringEnumConverter() } };

    private static readonly DistributedCacheEntryOptions NoExpiry = new();

    private readonly IDistributedCache _cache;
    private readonly DistributedCacheEntryOptions _entryOptions;
    private readonly TimeSpan _expiry;
    private readonly ILogger<LookupCache> _logger;
    private readonly ConcurrentDictionary<string, byte> _owed = new(StringComparer.Ordinal);
    // One bump at a time per host: after an outage every request would otherwise bump, each orphaning the entries of the last.
    private readonly SemaphoreSlim _bumping = new(1, 1);

    public LookupCache(IDistributedCache cache, IOptions<LookupCacheOptions> options, IConfiguration configuration, ILogger<LookupCache> logger)
    {
        _cache = cache;
        _expiry = options.Value.Expiry;
        _entryOptions = new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = options.Value.Expiry };
        _logger = logger;
        Enabled = LookupCacheOptions.ResolveEnabled(configuration) && options.Value.Expiry > TimeSpan.Zero;
    }

    public bool Enabled { get; }

    /// <summary>Families whose bump this host still owes (it reads them from the database meanwhile).</summary>
    public IReadOnlyCollection<string> Owed => _owed.Keys.ToList();

    /// <summary>
    /// The family's current generation, or null when the cache must not be used for it now (disabled, or a
    /// bump is owed and could not be paid yet): then read from the database and write nothing.
    /// </summary>
    public async Task<string?> GenerationAsync(string family, CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return null;
        }
        if (_owed.ContainsKey(family))
        {
            return await TryBumpAsync(family, waitForOthers: false);
        }
        // No generation: first use, evicted, Redis restarted empty — or Redis unreachable, in which case the bump
        // below fails and this host owes one (see the class comment: it bumps before trusting Redis again).
        return await _cache.GetStringAsync(GenerationKey(family), cancellationToken) ?? await TryBumpAsync(family, waitForOthers: false);
    }

    /// <summary>
    /// After a change to the family was committed: a new generation, so no host reads an entry written before it.
    /// Never throws and ignores the request's cancellation: the change is committed and the caller gets its answer.
    /// </summary>
    public async Task InvalidateAsync(string family)
    {
        if (Enabled)
        {
            await TryBumpAsync(family, waitForOthers: true);
        }
    }

    /// <summary>Tries to pay every owed bump (<see cref="LookupGenerationKeeper"/> calls this every second).</summary>
    public async Task PayOwedAsync()
    {
        foreach (var family in _owed.Keys)
        {
            await TryBumpAsync(family, waitForOthers: false);
        }
    }

    public string Key(string family, string shape, string generation, string entry) => $"lookups:{family}:{shape}:{generation}:{entry}";

    public async Task<T?> GetAsync<T>(string key, CancellationToken cancellationToken) where T : class
    {
        var bytes = await _cache.GetAsync(key, cancellationToken);
        if (bytes is null)
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, Json);
        }
        catch (JsonException)
        {
            return null; // not this build's shape: a miss, and the database answers
        }
    }

    public Task SetAsync<T>(string key, T value, CancellationToken cancellationToken) =>
        _cache.SetAsync(key, JsonSerializer.SerializeToUtf8Bytes(value, Json), _entryOptions, cancellationToken);

    private static string GenerationKey(string family) => $"lookups:{family}:generation";

    private async Task<string?> TryBumpAsync(string family, bool waitForOthers)
    {
        if (waitForOthers)
        {
            // A change must get a bump of its own: one already running may have read "before" ahead of this commit.
            await _bumping.WaitAsync();
        }
        else if (!await _bumping.WaitAsync(0))
        {
            return null; // another request of this host is bumping: read the database this once
        }
        try
        {
            var key = GenerationKey(family);
            var before = await _cache.GetStringAsync(key, CancellationToken.None);
            await _cache.SetStringAsync(key, Convert.ToHexString(RandomNumberGenerator.GetBytes(8)), NoExpiry, CancellationToken.None);
            var after = await _cache.GetStringAsync(key, CancellationToken.None);
            // Ours, or another host's written after our "before" (hence after our commit): either hides older entries.
            if (after is not null && after != before)
            {
                if (_owed.TryRemove(family, out _))
                {
                    LogPaid(_logger, family, null);
                }
                return after;
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // A cache that throws is treated as one that is down: the change is committed and must still be answered.
        }
        finally
        {
            _bumping.Release();
        }
        if (_owed.TryAdd(family, 0))
        {
            LogOwed(_logger, family, _expiry.TotalSeconds, null);
        }
        return null;
    }
}

/// <summary>Pays owed generation bumps soon after the cache is back, even on a host that gets no requests.</summary>
internal sealed class LookupGenerationKeeper(LookupCache lookups) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!lookups.Enabled)
        {
            return;
        }
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await lookups.PayOwedAsync();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
