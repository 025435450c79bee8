using System.Net;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Children;

public sealed class FileReadTestsOnSqlite(SqliteApp app) : FileReadTests(app), IClassFixture<SqliteApp>;

public sealed class FileReadTestsOnPostgres(PostgresApp app) : FileReadTests(app), IClassFixture<PostgresApp>;

/// <summary>
/// <c>GET /api/children/{id}</c> is answered from the child's grain (ADR 0017): many reads at once each get exactly
/// the file they asked for, as fresh as the last acknowledged write, and only inside their region.
/// </summary>
public abstract class FileReadTests(TongxinApp app)
{
    private const int Files = 60;
    private const int Rounds = 3;

    [Fact]
    public async Task ManyReadsAtOnceEachGetTheirOwnFile()
    {
        var county = await TestCounty.CreateAsync(app);
        var director = await county.As("director-a1");
        var files = await CreateFilesAsync(director, county.VillageA1, Files);
        // Calls on every third file, at a different minute each, so a file answered with another's row shows.
        var now = DateTime.UtcNow;
        var calls = new Dictionary<string, DateTime>();
        for (var i = 0; i < Files; i += 3)
        {
            calls[files[i].Id] = now.AddMinutes(-(i + 1));
            (await director.PostAsync($"/api/children/{files[i].Id}/contacts", new { kind = "call", at = calls[files[i].Id], notes = "电话询问" }))
                .AssertStatus(HttpStatusCode.Created);
        }

        // Every round of every file at the same moment: the same id is waiting several times in one batch too.
        var reads = Enumerable.Range(0, Rounds).SelectMany(_ => files).Select(async file => (file, response: await director.GetAsync($"/api/children/{file.Id}"))).ToList();
        var answers = await Task.WhenAll(reads);

        foreach (var (file, response) in answers)
        {
            response.AssertStatus(HttpStatusCode.OK);
            Assert.Equal(file.Id, response.Id);
            Assert.Equal(file.GivenName, response.Get<string>("givenName"));
            if (calls.TryGetValue(file.Id, out var call))
            {
                Assert.Equal(call, response.Get<DateTime>("lastCallAt").ToUniversalTime(), TimeSpan.FromMilliseconds(1));
            }
            else
            {
                Assert.Null(response.Json!["lastCallAt"]);
            }
            Assert.Null(response.Json!["lastHomeVisitAt"]);
        }
    }

    [Fact]
    public async Task InABatchAFileOutsideTheCallersRegionIsStill404()
    {
        var county = await TestCounty.CreateAsync(app);
        var own = await CreateFilesAsync(await county.As("director-a1"), county.VillageA1, 20);
        var others = await CreateFilesAsync(await county.As("director-b1"), county.VillageB1, 20);
        var director = await county.As("director-a1");

        // Their files and another village's, read together: the other village's must not reach this caller.
        var answers = await Task.WhenAll(own.Concat(others).Select(async file => (file, response: await director.GetAsync($"/api/children/{file.Id}"))));

        foreach (var (file, response) in answers)
        {
            if (own.Contains(file))
            {
                Assert.Equal(file.GivenName, response.AssertStatus(HttpStatusCode.OK).Get<string>("givenName"));
            }
            else
            {
                response.AssertProblem(HttpStatusCode.NotFound);
                ApiResponse.AssertNothingOf(response.Json, file.GivenName);
            }
        }
        (await director.GetAsync("/api/children/no-such-child")).AssertProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AnAcknowledgedChangeIsSeenByTheVeryNextReadWhileOtherReadsOfTheFileGoOn()
    {
        var county = await TestCounty.CreateAsync(app);
        var director = await county.As("director-a1");
        var child = (await CreateFilesAsync(director, county.VillageA1, 1))[0].Id;

        // Other readers of the same file all the while, so the file is always being read: an answer read before the
        // change (kept, shared or remembered for the next reader) must never stand in for the read after it.
        using var stop = new CancellationTokenSource();
        var supervisor = await county.As("supervisor-a");
        var background = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                (await supervisor.GetAsync($"/api/children/{child}")).AssertStatus(HttpStatusCode.OK);
            }
        })).ToList();
        try
        {
            var risks = new[] { "high", "low", "medium" };
            var version = 1;
            for (var i = 0; i < 9; i++)
            {
                var update = SampleCounty.ChildBody(county.VillageA1);
                update["riskLevel"] = risks[i % risks.Length];
                update["riskReason"] = $"第{i}次评估";
                update["guardianSituation"] = $"第{i}次更新：由祖母照料";
                update["version"] = version;
                version = (await director.PutAsync($"/api/children/{child}", update)).AssertStatus(HttpStatusCode.OK).Get<int>("version");

                var file = (await director.GetAsync($"/api/children/{child}")).AssertStatus(HttpStatusCode.OK);
                Assert.Equal(version, file.Get<int>("version"));
                Assert.Equal(risks[i % risks.Length], file.Get<string>("riskLevel"));
                Assert.Equal($"第{i}次更新：由祖母照料", file.Get<string>("guardianSituation"));

                var call = DateTime.UtcNow; // later than every contact before it: the file's last one
                (await director.PostAsync($"/api/children/{child}/contacts", new { kind = i % 2 == 0 ? "call" : "home-visit", at = call, notes = "回访" }))
                    .AssertStatus(HttpStatusCode.Created);
                var afterContact = (await director.GetAsync($"/api/children/{child}")).AssertStatus(HttpStatusCode.OK);
                Assert.Equal(call, afterContact.Get<DateTime>(i % 2 == 0 ? "lastCallAt" : "lastHomeVisitAt").ToUniversalTime(), TimeSpan.FromMilliseconds(1));
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(background);
        }
    }

    private static async Task<List<(string Id, string GivenName)>> CreateFilesAsync(Api director, string village, int count)
    {
        var files = new List<(string Id, string GivenName)>();
        foreach (var chunk in Enumerable.Range(0, count).Chunk(10))
        {
            files.AddRange(await Task.WhenAll(chunk.Select(async i =>
            {
                var body = SampleCounty.ChildBody(village);
                // A name of its own per file (and per village), to tell each answer's file apart.
                var givenName = $"童{village[^3..]}-{i:D2}";
                body["givenName"] = givenName;
                return ((await director.PostAsync("/api/children", body)).AssertStatus(HttpStatusCode.Created).Id, givenName);
            })));
        }
        return files;
    }
}
