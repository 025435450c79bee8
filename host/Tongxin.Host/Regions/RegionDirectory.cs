using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Caching;
using Tongxin.Host.Persistence;

namespace Tongxin.Host.Regions;

/// <summary>
/// Regions as requests read them — one by code, several by code, a subtree by path — through the shared
/// cache when lookups are cached (<see cref="LookupCache"/>), from the database otherwise or when the cache
/// cannot be trusted. One per request: the generation is read once and used for every lookup of the request.
/// </summary>
/// <remarks>
/// Keys: <c>lookups:regions:v1:{generation}:code:{code}</c> (one region) and
/// <c>lookups:regions:v1:{generation}:under:{path}</c> (a subtree in path order, as the database sorts it).
/// Only regions that exist are kept: "no such code" is never cached, so a region just created on another host
/// is found at once, whatever happened to the invalidation.
/// </remarks>
public sealed class RegionDirectory(TongxinDbContext db, LookupCache lookups)
{
    public const string Family = "regions";

    // Part of every key: change it when the cached shape (Region's properties) changes, so hosts of two builds
    // sharing one Redis during an upgrade never read each other's entries.
    private const string Shape = "v1";

    // A province-wide list (an administrator's) is rare and large: cheaper to read from the database than to
    // move as one value through Redis on every hit.
    private const int LargestCachedSubtree = 2_000;

    // Region codes are at most 32 characters (CreateRegion); anything longer cannot exist and is not worth a key.
    private const int LongestCode = 32;

    private Task<string?>? _generation;

    public async Task<Region?> FindAsync(string? code, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(code))
        {
            return null;
        }
        var key = await KeyAsync(code.Length <= LongestCode ? "code:" + code : null, cancellationToken);
        if (key is not null && await lookups.GetAsync<Region>(key, cancellationToken) is { } cached)
        {
            return cached;
        }
        var region = await db.Regions.AsNoTracking().SingleOrDefaultAsync(r => r.Code == code, cancellationToken);
        if (key is not null && region is not null)
        {
            await lookups.SetAsync(key, region, cancellationToken);
        }
        return region;
    }

    /// <summary>The regions of these codes that exist (any order); one database query for all the misses.</summary>
    public async Task<List<Region>> FindManyAsync(IReadOnlyCollection<string> codes, CancellationToken cancellationToken)
    {
        var found = new List<Region>();
        var missing = new List<(string Code, string? Key)>();
        foreach (var code in codes.Distinct(StringComparer.Ordinal))
        {
            var key = await KeyAsync(code.Length <= LongestCode ? "code:" + code : null, cancellationToken);
            if (key is not null && await lookups.GetAsync<Region>(key, cancellationToken) is { } cached)
            {
                found.Add(cached);
            }
            else
            {
                missing.Add((code, key));
            }
        }
        if (missing.Count == 0)
        {
            return found;
        }
        var missingCodes = missing.Select(m => m.Code).ToList();
        var loaded = await db.Regions.AsNoTracking().Where(r => missingCodes.Contains(r.Code)).ToListAsync(cancellationToken);
        foreach (var region in loaded)
        {
            if (missing.First(m => m.Code == region.Code).Key is { } key)
            {
                await lookups.SetAsync(key, region, cancellationToken);
            }
        }
        found.AddRange(loaded);
        return found;
    }

    /// <summary>Every region whose path starts with <paramref name="path"/> (itself included), in path order.</summary>
    public async Task<IReadOnlyList<Region>> UnderAsync(string path, CancellationToken cancellationToken)
    {
        var key = await KeyAsync("under:" + path, cancellationToken);
        if (key is not null && await lookups.GetAsync<List<Region>>(key, cancellationToken) is { } cached)
        {
            return cached;
        }
        var regions = await db.Regions.AsNoTracking().Where(r => r.Path.StartsWith(path)).OrderBy(r => r.Path).ToListAsync(cancellationToken);
        if (key is not null && regions.Count <= LargestCachedSubtree)
        {
            await lookups.SetAsync(key, regions, cancellationToken);
        }
        return regions;
    }

    /// <summary>After a region change was committed (never before: a reader could cache the old state under the new generation).</summary>
    public async Task ChangedAsync()
    {
        await lookups.InvalidateAsync(Family);
        _generation = null;
    }

    private async Task<string?> KeyAsync(string? entry, CancellationToken cancellationToken)
    {
        if (entry is null || !lookups.Enabled)
        {
            return null;
        }
        // Read once per request, and before the database query whose answer the key will hold: an entry is then
        // always written under a generation that was current before its data was read, so a bump after a commit
        // hides every answer read before that commit.
        var generation = await (_generation ??= lookups.GenerationAsync(Family, cancellationToken));
        return generation is null ? null : lookups.Key(Family, Shape, generation, entry);
    }
}
