using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Tongxin.Host.Caching;

namespace Tongxin.UnitTests.Host;

/// <summary>
/// The generation scheme fails safe: a bump the cache did not take is owed, and until it is paid this host
/// does not use the cache for that family. The cache here hides its failures as Redis's does (reads miss,
/// writes are skipped), or refuses only writes (Redis out of memory).
/// </summary>
public sealed class LookupCacheTests
{
    private const string Family = "regions";

    [Fact]
    public async Task AChangeGivesANewGenerationAndOldEntriesAreNotReadAgain()
    {
        var (lookups, _) = Create();
        var first = await lookups.GenerationAsync(Family, default);
        Assert.NotNull(first);
        await lookups.SetAsync(lookups.Key(Family, "v1", first, "code:1"), new Entry("old"), default);

        await lookups.InvalidateAsync(Family);

        var second = await lookups.GenerationAsync(Family, default);
        Assert.NotNull(second);
        Assert.NotEqual(first, second);
        Assert.Null(await lookups.GetAsync<Entry>(lookups.Key(Family, "v1", second, "code:1"), default));
        Assert.Equal("old", (await lookups.GetAsync<Entry>(lookups.Key(Family, "v1", first, "code:1"), default))!.Name);
    }

    [Fact]
    public async Task ABumpTheCacheDidNotTakeIsOwedAndTheCacheIsNotUsedUntilItIsPaid()
    {
        var (lookups, cache) = Create();
        var before = await lookups.GenerationAsync(Family, default);

        cache.RefuseWrites = true; // reads still answer, with the generation of before the change
        await lookups.InvalidateAsync(Family);
        Assert.Equal([Family], lookups.Owed);
        Assert.Null(await lookups.GenerationAsync(Family, default));

        cache.RefuseWrites = false;
        await lookups.PayOwedAsync();
        Assert.Empty(lookups.Owed);
        var after = await lookups.GenerationAsync(Family, default);
        Assert.NotNull(after);
        Assert.NotEqual(before, after);
    }

    [Fact]
    public async Task AHostThatSawTheCacheDownBumpsBeforeItTrustsItAgain()
    {
        var (lookups, cache) = Create();
        var before = await lookups.GenerationAsync(Family, default);

        cache.Down = true;
        Assert.Null(await lookups.GenerationAsync(Family, default)); // read from the database meanwhile
        Assert.Equal([Family], lookups.Owed);

        // Back with its data (a pause, not a restart): the generation of before is still there, and not used.
        cache.Down = false;
        var after = await lookups.GenerationAsync(Family, default);
        Assert.NotNull(after);
        Assert.NotEqual(before, after);
        Assert.Empty(lookups.Owed);
    }

    [Fact]
    public async Task ACacheThatThrowsNeitherFailsTheChangeNorIsTrusted()
    {
        var (lookups, cache) = Create();
        cache.Throw = true;
        await lookups.InvalidateAsync(Family);
        Assert.Equal([Family], lookups.Owed);
    }

    [Fact]
    public async Task AnEntryOfAnotherShapeIsAMiss()
    {
        var (lookups, cache) = Create();
        await cache.SetStringAsync("k", "[1,2,3]");
        Assert.Null(await lookups.GetAsync<Entry>("k", default));
    }

    [Theory]
    [InlineData(null, null, false)]
    [InlineData("Redis", null, true)]
    [InlineData("redis", "false", false)]
    [InlineData(null, "true", true)]
    public void LookupsAreCachedByDefaultOnlyInACacheSharedByTheHosts(string? provider, string? enabled, bool expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Cache:Provider"] = provider,
            ["Cache:Lookups:Enabled"] = enabled,
        }).Build();
        Assert.Equal(expected, LookupCacheOptions.ResolveEnabled(configuration));
    }

    private static (LookupCache Lookups, FlakyCache Cache) Create()
    {
        var cache = new FlakyCache();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Cache:Lookups:Enabled"] = "true" }).Build();
        return (new LookupCache(cache, Options.Create(new LookupCacheOptions()), configuration, NullLogger<LookupCache>.Instance), cache);
    }

    private sealed record Entry(string Name);

    /// <summary>A memory cache that can behave like an unreachable Redis, one that refuses writes, or one that throws.</summary>
    private sealed class FlakyCache : IDistributedCache
    {
        private readonly MemoryDistributedCache _inner = new(Options.Create(new MemoryDistributedCacheOptions()));

        public bool Down { get; set; }
        public bool RefuseWrites { get; set; }
        public bool Throw { get; set; }

        public byte[]? Get(string key) => Down ? null : Fail() ?? _inner.Get(key);

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Task.FromResult(Get(key));

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options)
        {
            Fail();
            if (!Down && !RefuseWrites)
            {
                _inner.Set(key, value, options);
            }
        }

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
        {
            Set(key, value, options);
            return Task.CompletedTask;
        }

        public void Refresh(string key)
        {
        }

        public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;

        public void Remove(string key) => _inner.Remove(key);

        public Task RemoveAsync(string key, CancellationToken token = default) => _inner.RemoveAsync(key, token);

        private byte[]? Fail() => Throw ? throw new InvalidOperationException("cache broken") : null;
    }
}
