using System.Diagnostics;
using System.Net;
using Tongxin.IntegrationTests.Infrastructure;
using Tongxin.IntegrationTests.Matching;
using Xunit;
using Xunit.Abstractions;

namespace Tongxin.IntegrationTests.Cluster;

/// <summary>
/// Matching is owned by a grain per line and county, not queued in a host's memory: a need acknowledged just before
/// its host is killed (kill -9) is still matched, with nothing else happening, after the restart (one host), or on
/// another host of the cluster (its matchmaker's reminder is in Redis).
/// </summary>
[Collection(nameof(RunsAlone))]
public sealed class MatchmakerFailoverTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, object> Skills = new() { ["caring-mother"] = new { supportKinds = new[] { "daily-life" } } };

    private static readonly object NeedDetails = new { supportKinds = new[] { "daily-life" } };

    /// <summary>Batches of one line and county at most this often: long enough that the need's batch is still waiting when the host dies.</summary>
    private const string Pacing = "00:00:30";

    [Fact]
    public async Task ANeedAcknowledgedJustBeforeTheOnlyHostIsKilledIsMatchedAfterTheRestart()
    {
        var folder = Directory.CreateTempSubdirectory("tongxin-restart-").FullName;
        var environment = new Dictionary<string, string>
        {
            ["Bootstrap__AdminUserName"] = TongxinApp.AdminUserName,
            ["Bootstrap__AdminPassword"] = TongxinApp.AdminPassword,
            ["Encryption__FieldKey"] = TongxinApp.FieldKey,
            ["Matching__AutoRunInterval"] = Pacing,
            ["RateLimits__ListsPerMinute"] = "1000000",
        };
        // The embedded default: SQLite under the working folder, localhost clustering.
        var host = HostProcess.Start(folder, environment);
        try
        {
            Assert.True(await host.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90)), host.Output);
            var county = await TestCounty.CreateAsync(new ProcessApiHost(host));
            // Vetting the volunteer wakes matching for the county: that batch runs at once (no needs yet), so the next
            // one waits for the pacing interval.
            var (_, volunteer) = await county.VolunteerAsync("mama", "female", county.VillageA1, ["caring-mother"], Skills);
            var child = await county.ChildAsync("director-a1", county.VillageA1);
            await Task.Delay(1000);
            var need = await county.NeedAsync("director-a1", child, "caring-mother", NeedDetails);
            host.KillHard();
            await host.WaitForExitAsync(TimeSpan.FromSeconds(10));

            var stopwatch = Stopwatch.StartNew();
            await using var restarted = HostProcess.Start(folder, environment);
            Assert.True(await restarted.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90)), restarted.Output);
            var startup = stopwatch.Elapsed;
            var mama = await new ProcessApiHost(restarted).LoginAsync(county.User("mama"), TestCounty.Password);
            await UntilOfferedAsync(mama, need, TimeSpan.FromSeconds(60));
            var offered = stopwatch.Elapsed;
            output.WriteLine($"restart answered after {startup.TotalSeconds:F1} s; the need was offered {offered.TotalSeconds:F1} s after the restart began");
            Assert.True(offered < startup + TimeSpan.FromSeconds(30), $"offered after {offered}, start-up took {startup}");
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task WhenTheHostRunningACountysMatchingIsKilledTheBatchRunsOnAnother()
    {
        await using var cluster = await HostCluster.StartAsync(3, new Dictionary<string, string>
        {
            ["Matching__AutoRunInterval"] = Pacing,
            ["Matching__ReminderPeriod"] = "00:00:05",
        });
        var county = await TestCounty.CreateAsync(new ProcessApiHost(cluster[0]));
        var (_, volunteer) = await county.VolunteerAsync("mama", "female", county.VillageA1, ["caring-mother"], Skills);
        var child = await county.ChildAsync("director-a1", county.VillageA1);

        // Which host runs caring-mother matching for this county: the one to kill.
        var admin = await new ProcessApiHost(cluster[0]).AdminAsync();
        var silo = (await admin.GetAsync($"/api/cluster/matchmakers/caring-mother/{county.Code}")).AssertStatus(HttpStatusCode.OK).Get<string>("silo");
        var owner = cluster.Hosts.Single(h => cluster.IsSiloOf(h, silo));
        var other = cluster.Hosts.First(h => h != owner);

        await Task.Delay(1000);
        var director = await new ProcessApiHost(other).LoginAsync(county.User("director-a1"), TestCounty.Password);
        var need = (await director.PostAsync($"/api/children/{child}/needs", new { line = "caring-mother", details = NeedDetails, urgency = "normal" }))
            .AssertStatus(HttpStatusCode.Created).Id;
        var stopwatch = Stopwatch.StartNew();
        owner.KillHard();

        var mama = await new ProcessApiHost(other).LoginAsync(county.User("mama"), TestCounty.Password);
        await UntilOfferedAsync(mama, need, TimeSpan.FromSeconds(90));
        var offered = stopwatch.Elapsed;
        var movedTo = (await (await new ProcessApiHost(other).AdminAsync()).GetAsync($"/api/cluster/matchmakers/caring-mother/{county.Code}"))
            .AssertStatus(HttpStatusCode.OK).Get<string>("silo");
        output.WriteLine($"the need was offered {offered.TotalSeconds:F1} s after its matchmaker's host was killed; matching now runs on {movedTo}");
        Assert.NotEqual(silo, movedTo);
    }

    /// <summary>Polls the volunteer's offers until one is for <paramref name="needId"/>.</summary>
    private static async Task UntilOfferedAsync(Api volunteer, string needId, TimeSpan limit)
    {
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < limit)
        {
            var offers = await volunteer.GetAsync("/api/offers?mine=true");
            if (offers.Status == HttpStatusCode.OK && offers.Array.Any(o => o!["needId"]!.GetValue<string>() == needId))
            {
                return;
            }
            await Task.Delay(250);
        }
        Assert.Fail($"the need {needId} had no offer {limit.TotalSeconds} s on: its batch was lost with its host");
    }
}
