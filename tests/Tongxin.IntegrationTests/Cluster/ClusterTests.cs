using System.Diagnostics;
using System.Net;
using Tongxin.IntegrationTests.Infrastructure;
using Tongxin.IntegrationTests.Matching;
using Xunit;
using Xunit.Abstractions;

namespace Tongxin.IntegrationTests.Cluster;

/// <summary>
/// Three real host processes forming one Orleans cluster through a membership table in Redis, on one PostgreSQL
/// database: a child's grain lives once in the cluster whichever host a request reaches, and when its host is
/// killed (kill -9) it answers on another within seconds, with 503 + Retry-After meanwhile and never a 500.
/// </summary>
[Collection(nameof(RunsAlone))]
public sealed class ClusterTests(ITestOutputHelper output)
{
    [Fact]
    public async Task AChildsGrainHasOneActivationWhicheverHostTheRequestReaches()
    {
        await using var cluster = await HostCluster.StartAsync(3);
        var county = await TestCounty.CreateAsync(new ProcessApiHost(cluster[0]));
        var children = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            children.Add(await county.ChildAsync("director-a1", county.VillageA1));
        }

        // Every host sees the same three active members.
        foreach (var host in cluster.Hosts)
        {
            var view = (await (await new ProcessApiHost(host).AdminAsync()).GetAsync("/api/cluster")).AssertStatus(HttpStatusCode.OK);
            Assert.Equal("redis", view.Get<string>("membership"));
            Assert.Equal(3, view.Json!["silos"]!.AsArray().Count(s => s!["status"]!.GetValue<string>() == "active"));
        }

        var silos = new HashSet<string>();
        foreach (var child in children)
        {
            var seen = new List<(string Silo, string Activation)>();
            foreach (var host in cluster.Hosts)
            {
                var admin = await new ProcessApiHost(host).AdminAsync();
                var location = (await admin.GetAsync($"/api/children/{child}/grain")).AssertStatus(HttpStatusCode.OK);
                seen.Add((location.Get<string>("silo"), location.Get<string>("activationId")));
            }
            Assert.Single(seen.Distinct());
            silos.Add(seen[0].Silo);
        }
        output.WriteLine($"6 children's grains on {silos.Count} of 3 hosts");

        // A change through one host is what every host reads next: one activation, one state.
        var director = await new ProcessApiHost(cluster[1]).LoginAsync(county.User("director-a1"), TestCounty.Password);
        (await director.PutAsync($"/api/children/{children[0]}/risk", new { riskLevel = "high", reason = "祖母住院" })).AssertStatus(HttpStatusCode.OK);
        foreach (var host in cluster.Hosts)
        {
            var reader = await new ProcessApiHost(host).LoginAsync(county.User("director-a1"), TestCounty.Password);
            Assert.Equal("high", (await reader.GetAsync($"/api/children/{children[0]}")).AssertStatus(HttpStatusCode.OK).Get<string>("riskLevel"));
        }
    }

    [Fact]
    public async Task WhenAHostIsKilledItsGrainsAnswerOnAnotherWithinSecondsAndMeanwhileRetryLaterNeverFail()
    {
        await using var cluster = await HostCluster.StartAsync(3);
        var county = await TestCounty.CreateAsync(new ProcessApiHost(cluster[0]));
        var survivor = await new ProcessApiHost(cluster[0]).AdminAsync();

        // A child whose grain lives on the host that will be killed (Orleans places activations across the hosts).
        var victim = cluster[2];
        var asVictim = await new ProcessApiHost(victim).AdminAsync();
        string? child = null;
        string? deadSilo = null;
        for (var i = 0; i < 40 && child is null; i++)
        {
            var id = await county.ChildAsync("director-a1", county.VillageA1);
            var silo = (await asVictim.GetAsync($"/api/children/{id}/grain")).AssertStatus(HttpStatusCode.OK).Get<string>("silo");
            if (cluster.IsSiloOf(victim, silo))
            {
                (child, deadSilo) = (id, silo);
            }
        }
        Assert.NotNull(child);

        var stopwatch = Stopwatch.StartNew();
        victim.KillHard();
        var answers = new List<HttpStatusCode>();
        string? newSilo = null;
        using var http = new HttpClient { BaseAddress = cluster[0].Address, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = survivor.Http.DefaultRequestHeaders.Authorization;
        while (stopwatch.Elapsed < TimeSpan.FromSeconds(60))
        {
            using var response = await http.GetAsync($"/api/children/{child}/grain");
            answers.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var body = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
                newSilo = body["silo"]!.GetValue<string>();
                break;
            }
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.NotNull(response.Headers.RetryAfter);
            await Task.Delay(100);
        }
        var moved = stopwatch.Elapsed;
        output.WriteLine($"kill -9 → the child's grain answered on another host after {moved.TotalSeconds:F1} s; answers: {string.Join(", ", answers.GroupBy(a => a).Select(g => $"{(int)g.Key}×{g.Count()}"))}");
        Assert.NotNull(newSilo);
        Assert.NotEqual(deadSilo, newSilo);
        // Goal about 2 s (membership: 1 s probes, 2 missed); generous here, since this machine is shared: the figure
        // itself is measured by the load harness (`failover`), not asserted.
        Assert.True(moved < TimeSpan.FromSeconds(20), $"took {moved}");

        // And it works: a change through the survivor lands.
        var director = await new ProcessApiHost(cluster[1]).LoginAsync(county.User("director-a1"), TestCounty.Password);
        (await director.PutAsync($"/api/children/{child}/risk", new { riskLevel = "high", reason = "独自在家" })).AssertStatus(HttpStatusCode.OK);
    }

    [Fact]
    public async Task WhileRedisIsDownTheClusterGoesOnAndAfterwardsANewHostStillJoins()
    {
        await using var cluster = await HostCluster.StartAsync(2);
        var county = await TestCounty.CreateAsync(new ProcessApiHost(cluster[0]));
        var children = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            children.Add(await county.ChildAsync("director-a1", county.VillageA1));
        }

        // Redis holds the membership table, the reminders and the shared cache: all gone at once.
        cluster.Redis.Kill();
        foreach (var (host, i) in cluster.Hosts.Select((h, i) => (h, i)))
        {
            // Signing in, reading and changing files through either host: every child's grain answers wherever it lives.
            var director = await new ProcessApiHost(host).LoginAsync(county.User("director-a1"), TestCounty.Password);
            foreach (var child in children)
            {
                (await director.PutAsync($"/api/children/{child}/risk", new { riskLevel = i % 2 == 0 ? "high" : "low", reason = "Redis 停机期间" }))
                    .AssertStatus(HttpStatusCode.OK);
                (await director.GetAsync($"/api/children/{child}")).AssertStatus(HttpStatusCode.OK);
            }
        }

        // Back with its data (the append-only file): the cluster carries on, and a third host joins it.
        await cluster.Redis.StartAsync();
        var third = await cluster.AddHostAsync();
        var admin = await new ProcessApiHost(third).AdminAsync();
        var active = 0;
        for (var attempt = 0; attempt < 50 && active < 3; attempt++)
        {
            var view = (await admin.GetAsync("/api/cluster")).AssertStatus(HttpStatusCode.OK);
            active = view.Json!["silos"]!.AsArray().Count(s => s!["status"]!.GetValue<string>() == "active");
            await Task.Delay(200);
        }
        Assert.Equal(3, active);
        var locations = new HashSet<string>();
        foreach (var host in cluster.Hosts)
        {
            var hostAdmin = await new ProcessApiHost(host).AdminAsync();
            locations.Add((await hostAdmin.GetAsync($"/api/children/{children[0]}/grain")).AssertStatus(HttpStatusCode.OK).Get<string>("activationId"));
        }
        Assert.Single(locations);
    }
}
