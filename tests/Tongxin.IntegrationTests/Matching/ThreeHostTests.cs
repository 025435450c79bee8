using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Persistence;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Matching;

/// <summary>
/// Three real host processes on loopback ports forming one Orleans cluster (membership in Redis), one PostgreSQL
/// database, no special router: any host answers any request, and the capacity race across all three still fills
/// exactly the capacity; a host killed in the middle loses and doubles nothing.
/// </summary>
[Collection(nameof(RunsAlone))]
public sealed class ThreeHostTests
{
    private const int Capacity = 5;
    private const int Racers = 200;

    [Fact]
    public async Task KillingAHostInTheMiddleOfAThousandAcceptancesLosesAndDoublesNothing()
    {
        await using var cluster = await StartClusterAsync();
        var hosts = cluster.Hosts;
        var county = await TestCounty.CreateAsync(new ProcessApiHost(hosts[0]));
        var child = await county.ChildAsync("director-a1", county.VillageA1);
        var options = new DbContextOptionsBuilder<TongxinDbContext>().UseNpgsql(cluster.Database.ConnectionString).Options;
        await using var seeding = new TongxinDbContext(options);
        // 20 volunteers of capacity 10, 50 offers each: 1,000 acceptances for 200 places.
        var work = new List<(string Offer, string Token)>();
        var volunteers = new List<string>();
        for (var v = 0; v < 20; v++)
        {
            var (id, api) = await county.VolunteerAsync($"v{v}", "female", county.VillageA1, ["caring-mother"],
                new Dictionary<string, object> { ["caring-mother"] = new { supportKinds = new[] { "daily-life" } } }, capacity: 10);
            volunteers.Add(id);
            var token = api.Http.DefaultRequestHeaders.Authorization!.Parameter!;
            work.AddRange((await CapacityRaceTests.SeedOffersAsync(() => seeding, county, id, child, 50)).Select(o => (o, token)));
        }

        var done = 0;
        var cutOff = 0;
        var killer = Task.Run(async () =>
        {
            while (Volatile.Read(ref done) < 150)
            {
                await Task.Delay(10);
            }
            hosts[1].KillHard();
        });
        var acknowledged = await Task.WhenAll(work.Select(async (item, i) =>
        {
            // A client whose host dies (or is told 503) retries on the next host: accepting the same offer again is harmless.
            // It waits as the 503 says (Retry-After): a client that gave up before the dead host's grains moved (about a
            // second) would never learn of an acceptance that committed just before its host died.
            for (var attempt = 0; attempt < 20; attempt++)
            {
                var host = hosts[(i + attempt) % hosts.Count];
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/offers/{item.Offer}/accept");
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", item.Token);
                    using var response = await host.Client().Http.SendAsync(request);
                    if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                    {
                        await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromMilliseconds(500));
                        continue;
                    }
                    Interlocked.Increment(ref done);
                    return response.StatusCode == HttpStatusCode.OK
                        ? (item.Offer, (await response.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>())!["pairingId"]!.GetValue<string>())
                        : (item.Offer, (string?)null);
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref cutOff);
                    await Task.Delay(100);
                }
            }
            return (item.Offer, (string?)null);
        }));
        await killer;
        Assert.True(hosts[1].HasExited, "the host was killed mid-run");
        Assert.True(cutOff > 0, "some clients lost their host and retried elsewhere");

        await using var db = new TongxinDbContext(options);
        var pairings = await db.Pairings.Where(p => volunteers.Contains(p.ProviderId)).ToListAsync();
        var acked = acknowledged.Where(a => a.Item2 is not null).ToList();
        // Every acknowledged acceptance exists exactly once; nothing exists that nobody was told of.
        Assert.Equal(acked.Count, pairings.Count);
        Assert.Equal(acked.Select(a => a.Item2!).Order(), pairings.Select(p => p.Id).Order());
        Assert.Equal(pairings.Count, pairings.Select(p => p.OfferId).Distinct().Count());
        // No provider over capacity, and the counter agrees with the pairings.
        foreach (var provider in await db.Providers.Where(p => volunteers.Contains(p.Id)).ToListAsync())
        {
            var active = pairings.Count(p => p.ProviderId == provider.Id);
            Assert.True(active <= provider.Capacity, $"{provider.Id}: {active} > {provider.Capacity}");
            Assert.Equal(active, provider.Committed);
        }
        Assert.Equal(200, pairings.Count);
    }

    private static Task<HostCluster> StartClusterAsync() =>
        HostCluster.StartAsync(3, new Dictionary<string, string> { ["Matching__AutoRun"] = "false" });

    [Fact]
    public async Task ThreeHostsOnOneDatabaseNeverCommitBeyondCapacity()
    {
        await using var cluster = await StartClusterAsync();
        var hosts = cluster.Hosts;
        // Set up through host 1, race through all three.
        var county = await TestCounty.CreateAsync(new ProcessApiHost(hosts[0]));
        var (volunteerId, volunteer) = await county.VolunteerAsync("busy", "female", county.VillageA1, ["caring-mother"],
            new Dictionary<string, object> { ["caring-mother"] = new { supportKinds = new[] { "daily-life" } } }, capacity: Capacity);
        var child = await county.ChildAsync("director-a1", county.VillageA1);
        var options = new DbContextOptionsBuilder<TongxinDbContext>().UseNpgsql(cluster.Database.ConnectionString).Options;
        await using var seeding = new TongxinDbContext(options);
        var offers = await CapacityRaceTests.SeedOffersAsync(() => seeding, county, volunteerId, child, Racers);

        var token = volunteer.Http.DefaultRequestHeaders.Authorization!.Parameter!;
        var clients = hosts.Select(h =>
        {
            var client = h.Client().Http;
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return client;
        }).ToArray();
        var statuses = await Task.WhenAll(offers.Select(async (offer, i) =>
        {
            // A client told 503 ("try again") retries on the next host, as a county's app would; accepting is idempotent.
            for (var attempt = 0; ; attempt++)
            {
                using var response = await clients[(i + attempt) % clients.Length].PostAsync($"/api/offers/{offer}/accept", null);
                if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 4)
                {
                    return response.StatusCode;
                }
                await Task.Delay(200 * (attempt + 1));
            }
        }));

        var seen = string.Join(", ", statuses.GroupBy(s => s).Select(g => $"{(int)g.Key}×{g.Count()}"));
        Assert.True(statuses.Count(s => s == HttpStatusCode.OK) == Capacity, seen);
        Assert.True(statuses.Count(s => s == HttpStatusCode.Conflict) == Racers - Capacity, seen + "\n" + string.Join("\n", hosts.Select(h => h.Output[^Math.Min(3000, h.Output.Length)..])));
        await using var db = new TongxinDbContext(options);
        Assert.Equal(Capacity, (await db.Providers.SingleAsync(p => p.Id == volunteerId)).Committed);
        Assert.Equal(Capacity, await db.Pairings.CountAsync(p => p.ProviderId == volunteerId && p.Status == PairingStatus.Active));
    }
}

/// <summary>Tests that start several host processes run after the others, alone: they need the machine's cores and the database's connections.</summary>
[CollectionDefinition(nameof(RunsAlone), DisableParallelization = true)]
public sealed class RunsAlone;
