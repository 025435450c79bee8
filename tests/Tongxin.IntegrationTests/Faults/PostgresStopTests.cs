using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tongxin.Host.Grains;
using Tongxin.Host.Persistence;
using Tongxin.IntegrationTests.Infrastructure;
using Tongxin.IntegrationTests.Matching;
using Xunit;
using Xunit.Abstractions;

namespace Tongxin.IntegrationTests.Faults;

/// <summary>
/// PostgreSQL stops in the middle of a working day (issue 7, item 4): the hosts answer 503 problem+json at
/// once while it is down, come back by themselves when it is back, and every write they acknowledged is
/// still there. Each test runs a PostgreSQL server of its own (<see cref="ThrowawayPostgres"/>), so the
/// shared server the other classes use never stops. tests/faults/postgres-stop.sh runs these alone.
/// </summary>
[Collection(nameof(RunsAlone))]
public sealed class PostgresStopTests(ITestOutputHelper output)
{
    /// <summary>While the database is down an answer must come this fast: a client (or a load balancer) must not hang.</summary>
    private static readonly TimeSpan OutageAnswerBound = TimeSpan.FromSeconds(5);

    /// <summary>How long the hosts may take to answer 2xx again once PostgreSQL accepts connections.</summary>
    private static readonly TimeSpan RecoveryLimit = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(4);

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<Attempt> _attempts = new();

    private double Now => _clock.Elapsed.TotalSeconds;

    /// <summary>
    /// Two outages in a row on the same two host processes: <c>pg_ctl stop -m immediate</c> (backends quit at once,
    /// sockets just close, the next start runs crash recovery: a crash or a kill), then <c>-m fast</c> (backends end
    /// their sessions with 57P01 admin_shutdown and the server shuts down cleanly: an operator's restart).
    /// </summary>
    [Fact]
    public async Task StoppingPostgresMidRunAnswers503UntilItIsBackThenTheSameHostsRecoverWithNoAcknowledgedWriteLost()
    {
        await using var server = await ThrowawayPostgres.CreateAsync();
        await using var membership = await RedisServer.StartAsync("--appendonly", "yes", "--dir", Directory.CreateTempSubdirectory("tongxin-redis-").FullName);
        var serverReady = Now;
        var hosts = await StartHostsAsync(server, membership);
        var hostsReady = Now;
        try
        {
            var county = await TestCounty.CreateAsync(new ProcessApiHost(hosts[0]));
            var contract = (await (await county.As("civil")).PostAsync("/api/contracts", new
            {
                organisationId = county.SocialWorkOrgId,
                line = "counselling",
                title = "留守儿童心理疏导服务",
                regionCodes = new[] { county.TownA },
                units = 100_000,
                unitKind = "session",
                unitPrice = 150m,
                startsOn = DateTime.UtcNow.AddDays(-30).ToString("yyyy-MM-dd"),
                endsOn = DateTime.UtcNow.AddDays(30).ToString("yyyy-MM-dd"),
                fundingSource = "welfare-lottery",
            })).AssertStatus(HttpStatusCode.Created).Id;
            var child = await county.ChildAsync("director-a1", county.VillageA1);
            var tokens = new Dictionary<string, string>();
            foreach (var user in new[] { "director-a1", "director-a2", "shegong" })
            {
                tokens[user] = (await county.As(user)).Http.DefaultRequestHeaders.Authorization!.Parameter!;
            }
            var clients = hosts.Select(h => new HttpClient { BaseAddress = h.Address, Timeout = TimeSpan.FromSeconds(20) }).ToArray();

            // Four kinds of acknowledged write, through the four ways the host writes: a handler on its
            // own unit of work (a new child's file), the child grain (a contact), the group commit of requests
            // for help (a need), the contract grain with an Idempotency-Key (a delivery). Each client keeps
            // writing through the whole run.
            var writingFrom = Now;
            using var stopWriting = new CancellationTokenSource();
            var writers = Task.WhenAll(
                WriteUntilStoppedAsync("children", 0, clients[0], tokens["director-a2"], () => JsonContent.Create(SampleCounty.ChildBody(county.VillageA2, age: 9)),
                    "/api/children", stopWriting.Token),
                WriteUntilStoppedAsync("contacts", 1, clients[1], tokens["director-a1"],
                    () => JsonContent.Create(new { kind = "call", at = DateTime.UtcNow.AddMinutes(-5), notes = "电话回访，孩子一切正常" }),
                    $"/api/children/{child}/contacts", stopWriting.Token),
                WriteUntilStoppedAsync("needs", 0, clients[0], tokens["director-a1"],
                    () => JsonContent.Create(new { line = "tutoring", urgency = "normal", details = new { subject = "maths", grade = 4, schedule = new[] { "weekday-afternoon" }, mode = "online" } }),
                    $"/api/children/{child}/needs", stopWriting.Token),
                ReportDeliveriesUntilStoppedAsync(clients, tokens["shegong"], contract, child, stopWriting.Token),
                PollHealthUntilStoppedAsync(clients, stopWriting.Token));

            await UntilAsync("every client has written while PostgreSQL is up", TimeSpan.FromSeconds(30),
                () => Writers.All(w => Acknowledged(w).Count() >= 5));

            var outages = new List<OutageWindow>();
            foreach (var mode in new[] { "immediate", "fast" })
            {
                var stopBegan = Now;
                await server.StopAsync(mode);
                var stopped = Now;
                // Down long enough that every client meets the outage on every host several times.
                await Task.Delay(Outage);
                await UntilAsync($"every client and health check has met the outage ({mode})", TimeSpan.FromSeconds(20),
                    () => Writers.Append("health").All(w => _attempts.Count(a => a.Writer == w && a.SentAt >= stopped) >= 3));
                var startBegan = Now;
                await server.StartAsync();
                var started = Now;
                await UntilAsync($"every client writes again through the same hosts ({mode})", RecoveryLimit,
                    () => Writers.All(w => Acknowledged(w).Count(a => a.SentAt >= started) >= 5)
                        && Enumerable.Range(0, hosts.Count).All(h => _attempts.Any(a => a.Host == h && a.Writer != "health" && a.SentAt >= started && a.IsSuccess))
                        && Enumerable.Range(0, hosts.Count).All(h => _attempts.Any(a => a.Host == h && a.Writer == "health" && a.SentAt >= started && a.IsSuccess)));
                outages.Add(new OutageWindow(mode, stopBegan, stopped, startBegan, started));
            }
            await stopWriting.CancelAsync();
            await writers;
            var attempts = _attempts.ToList();

            // The hosts stayed up the whole time: no refused connection, no timeout, and the same processes.
            Assert.All(hosts, h => Assert.False(h.HasExited, "a host process ended during an outage"));
            Assert.Empty(attempts.Where(a => a.Failure is not null).Select(a => a.ToString()));

            // While PostgreSQL is down: 503 problem+json from every route, health included, with no trace of the server's insides.
            foreach (var outage in outages)
            {
                var duringOutage = attempts.Where(a => a.SentAt >= outage.Stopped && a.DoneAt <= outage.StartBegan).ToList();
                Assert.All(duringOutage, a => Assert.True(a.Status == HttpStatusCode.ServiceUnavailable, $"{outage.Mode}: {a}"));
                Assert.All(duringOutage, a => a.AsResponse().AssertProblem(HttpStatusCode.ServiceUnavailable));
                Assert.All(duringOutage, a => Assert.DoesNotContain("Npgsql", a.Body));
                for (var h = 0; h < hosts.Count; h++)
                {
                    Assert.Contains(duringOutage, a => a.Host == h && a.Writer == "health");
                    Assert.Contains(duringOutage, a => a.Host == h && a.Writer != "health");
                }
            }
            // ...and at once: a client (or a load balancer) must not hang on a host whose database is gone.
            var slowest = attempts.Where(a => a.Status == HttpStatusCode.ServiceUnavailable).Max(a => a.DoneAt - a.SentAt);
            Assert.True(slowest <= OutageAnswerBound.TotalSeconds, $"the slowest 503 took {slowest:F2} s (bound {OutageAnswerBound.TotalSeconds} s)");

            // At any time, up, down or in between: a write is acknowledged (2xx) or refused with 503 problem+json, nothing else (no 500).
            Assert.All(attempts.Where(a => a.Writer != "health"),
                a => Assert.True(a.IsSuccess || a.Status == HttpStatusCode.ServiceUnavailable, a.ToString()));
            Assert.All(attempts.Where(a => a.Status == HttpStatusCode.ServiceUnavailable), a => a.AsResponse().AssertProblem(HttpStatusCode.ServiceUnavailable));
            // Health says "down" only while it was: 200 before the first stop and at the end.
            Assert.All(attempts.Where(a => a.Writer == "health" && a.DoneAt < outages[0].StopBegan), a => Assert.Equal(HttpStatusCode.OK, a.Status));
            for (var h = 0; h < hosts.Count; h++)
            {
                Assert.Equal(HttpStatusCode.OK, attempts.Last(a => a.Writer == "health" && a.Host == h).Status);
            }

            // Every acknowledged write is in the database after crash recovery.
            var options = new DbContextOptionsBuilder<TongxinDbContext>().UseNpgsql(server.ConnectionString).Options;
            await using var db = new TongxinDbContext(options);
            var children = Acknowledged("children").Select(a => a.Id!).ToList();
            var storedChildren = await db.Children.Where(c => c.RegionPath.Contains(county.VillageA2)).Select(c => c.Id).ToListAsync();
            Assert.Empty(children.Except(storedChildren));
            var contacts = Acknowledged("contacts").Select(a => a.Id!).ToList();
            var storedContacts = await db.ChildContacts.Where(c => c.ChildId == child).Select(c => c.Id).ToListAsync();
            Assert.Empty(contacts.Except(storedContacts));
            var needs = Acknowledged("needs").Select(a => a.Id!).ToList();
            var storedNeeds = await db.Needs.Where(n => n.ChildId == child).Select(n => n.Id).ToListAsync();
            Assert.Empty(needs.Except(storedNeeds));
            // Deliveries are retried with their key until acknowledged, so the rows are exactly the acknowledged
            // ones: a commit whose answer was lost in the stop was replayed (same id), never written twice.
            var deliveries = Acknowledged("deliveries").GroupBy(a => a.Key!).ToDictionary(g => g.Key, g => g.Select(a => a.Id!).Distinct().Single());
            var storedDeliveries = await db.Deliveries.Where(d => d.ContractId == contract).ToListAsync();
            Assert.Equal(deliveries.OrderBy(d => d.Key), storedDeliveries.Select(d => new KeyValuePair<string, string>(d.IdempotencyKey!, d.Id)).OrderBy(d => d.Key));
            Assert.Equal(storedDeliveries.Count, (await db.Contracts.SingleAsync(c => c.Id == contract)).DeliveredUnits);
            // And the hosts serve them, too.
            var readBack = await SendAsync("read", 1, clients[1], tokens["shegong"], () => new HttpRequestMessage(HttpMethod.Get, $"/api/contracts/{contract}/deliveries"));
            Assert.Equal(deliveries.Values.Order(), JsonNode.Parse(readBack.Body)!.AsArray().Select(d => d!["id"]!.GetValue<string>()).Order());
            readBack = await SendAsync("read", 0, clients[0], tokens["director-a1"], () => new HttpRequestMessage(HttpMethod.Get, $"/api/children/{child}/contacts"));
            Assert.Empty(contacts.Except(JsonNode.Parse(readBack.Body)!.AsArray().Select(c => c!["id"]!.GetValue<string>())));
            foreach (var client in clients)
            {
                client.Dispose();
            }

            output.WriteLine($"own PostgreSQL ready after {serverReady:F1} s, both hosts healthy after {hostsReady:F1} s, county set up and writing from {writingFrom:F1} s, all checked at {Now:F1} s");
            Report(outages, attempts, hosts.Count,
                unacknowledgedButStored: storedChildren.Count - children.Count + storedContacts.Count - contacts.Count + storedNeeds.Count - needs.Count);
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
                try
                {
                    Directory.Delete(host.WorkingFolder, recursive: true);
                }
                catch (IOException)
                {
                    // Held by a process still exiting: the OS cleans temp folders.
                }
            }
        }
    }

    [Fact]
    public async Task AMatchingBatchThatFailedWhilePostgresWasDownRunsAgainByItselfOnceItIsBack()
    {
        await using var server = await ThrowawayPostgres.CreateAsync();
        var log = new WorkerFailures();
        // Matching is never triggered by a need or a provider here, so only the worker's own retry can run the batch.
        var settings = new Dictionary<string, string?> { ["Matching:AutoRun"] = "false", ["Logging:LogLevel:Default"] = "Warning" };
        await using var factory = TongxinApp.CreateFactory(server.AsTestDatabase(), settings, services: s => s.AddSingleton<ILoggerProvider>(log));
        var county = await TestCounty.CreateAsync(new FactoryApiHost(factory));
        var skills = new Dictionary<string, object> { ["caring-mother"] = new { supportKinds = new[] { "daily-life" } } };
        var (_, volunteer) = await county.VolunteerAsync("mama", "female", county.VillageA1, ["caring-mother"], skills);
        var child = await county.ChildAsync("director-a1", county.VillageA1);
        var need = await county.NeedAsync("director-a1", child, "caring-mother", new { supportKinds = new[] { "daily-life" } });
        Assert.Empty((await volunteer.GetAsync("/api/offers?mine=true")).AssertStatus(HttpStatusCode.OK).Array);

        await server.StopAsync("immediate");
        // What a need saved a moment before the stop does: wake its matchmaker, whose batch then runs against a database that is gone.
        await factory.Services.GetRequiredService<Orleans.IGrainFactory>().Matchmaker("caring-mother", county.Code).WakeAsync();
        await UntilAsync("the batch has failed", TimeSpan.FromSeconds(20), () => log.Count > 0);
        await server.StartAsync();
        var started = Now;

        var deadline = DateTime.UtcNow + RecoveryLimit;
        ApiResponse offers;
        do
        {
            await Task.Delay(250);
            offers = await volunteer.GetAsync("/api/offers?mine=true");
        }
        while (!(offers.Status == HttpStatusCode.OK && offers.Array.Count > 0) && DateTime.UtcNow < deadline);
        offers.AssertStatus(HttpStatusCode.OK);
        Assert.True(offers.Array.Count == 1, $"no offer {RecoveryLimit.TotalSeconds} s after PostgreSQL came back: the failed batch was never run again");
        Assert.Equal(need, offers.Array[0]!["needId"]!.GetValue<string>());
        output.WriteLine($"the failed batch ran again by itself and made its offer {Now - started:F2} s after PostgreSQL was back");
    }

    private static readonly string[] Writers = ["children", "contacts", "needs", "deliveries"];

    private IEnumerable<Attempt> Acknowledged(string writer) => _attempts.Where(a => a.Writer == writer && a.IsSuccess);

    private async Task WriteUntilStoppedAsync(string writer, int host, HttpClient client, string token, Func<HttpContent> body, string path, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            _attempts.Enqueue(await SendAsync(writer, host, client, token, () => new HttpRequestMessage(HttpMethod.Post, path) { Content = body() }));
            await Pause(stop);
        }
    }

    /// <summary>
    /// As a social-work organisation's app reports: each delivery with a key of its own, sent again with the same
    /// key and body after a 503 (to either host) until acknowledged. The last one is finished even after the stop.
    /// </summary>
    private async Task ReportDeliveriesUntilStoppedAsync(HttpClient[] clients, string token, string contract, string child, CancellationToken stop)
    {
        var at = DateTime.UtcNow.AddDays(-1);
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var key = $"pg-stop-{n:D5}";
            var body = new { childId = child, at, units = 1, kind = "session", notes = "个案辅导" };
            var giveUp = DateTime.UtcNow + RecoveryLimit + Outage + TimeSpan.FromSeconds(30);
            for (var attempt = 0; DateTime.UtcNow < giveUp; attempt++)
            {
                var host = (n + attempt) % clients.Length;
                var sent = await SendAsync("deliveries", host, clients[host], token, () =>
                {
                    var request = new HttpRequestMessage(HttpMethod.Post, $"/api/contracts/{contract}/deliveries") { Content = JsonContent.Create(body) };
                    request.Headers.Add("Idempotency-Key", key);
                    return request;
                }, key);
                _attempts.Enqueue(sent);
                if (sent.Status != HttpStatusCode.ServiceUnavailable)
                {
                    break;
                }
                await Task.Delay(50, CancellationToken.None);
            }
            await Pause(stop);
        }
    }

    private async Task PollHealthUntilStoppedAsync(HttpClient[] clients, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            for (var h = 0; h < clients.Length; h++)
            {
                _attempts.Enqueue(await SendAsync("health", h, clients[h], null, () => new HttpRequestMessage(HttpMethod.Get, "/health")));
            }
            await Pause(stop, 100);
        }
    }

    private static async Task Pause(CancellationToken stop, int milliseconds = 40)
    {
        try
        {
            await Task.Delay(milliseconds, stop);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task<Attempt> SendAsync(string writer, int host, HttpClient client, string? token, Func<HttpRequestMessage> make, string? key = null)
    {
        var sent = Now;
        try
        {
            using var request = make();
            if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            var id = response.IsSuccessStatusCode && writer != "health" && writer != "read" ? JsonNode.Parse(body)!["id"]!.GetValue<string>() : null;
            return new Attempt(writer, host, key, sent, Now, response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, id, null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return new Attempt(writer, host, key, sent, Now, null, null, "", null, $"{e.GetType().Name}: {e.Message}");
        }
    }

    private async Task UntilAsync(string what, TimeSpan limit, Func<bool> done)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!done())
        {
            if (DateTime.UtcNow > deadline)
            {
                var seen = _attempts.GroupBy(a => (a.Writer, a.Host, a.Status)).Select(g => $"{g.Key.Writer}@{g.Key.Host}:{(int?)g.Key.Status}×{g.Count()}");
                Assert.Fail($"Not within {limit.TotalSeconds} s: {what}. Seen: {string.Join(", ", seen)}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>The measured figures, for docs/scale.md ("Faults"): shown with <c>--logger "console;verbosity=detailed"</c>.</summary>
    private void Report(List<OutageWindow> outages, List<Attempt> attempts, int hostCount, int unacknowledgedButStored)
    {
        for (var o = 0; o < outages.Count; o++)
        {
            var outage = outages[o];
            var until = o + 1 < outages.Count ? outages[o + 1].StopBegan : double.MaxValue;
            output.WriteLine($"pg_ctl stop -m {outage.Mode} took {outage.Stopped - outage.StopBegan:F2} s; PostgreSQL down {outage.StartBegan - outage.Stopped:F2} s; " +
                $"pg_ctl start took {outage.Started - outage.StartBegan:F2} s");
            for (var h = 0; h < hostCount; h++)
            {
                var mine = attempts.Where(a => a.Host == h && a.SentAt >= outage.StopBegan && a.SentAt < until).ToList();
                var unavailable = mine.Where(a => a.Status == HttpStatusCode.ServiceUnavailable).ToList();
                var firstBack = mine.Where(a => a.Writer != "health" && a.SentAt >= outage.Started && a.IsSuccess).Min(a => a.DoneAt);
                output.WriteLine(
                    $"  host {h + 1}: {unavailable.Count} answers 503, the first {unavailable.Min(a => a.DoneAt) - outage.StopBegan:F2} s after the stop began, " +
                    $"the last {unavailable.Max(a => a.DoneAt) - outage.Started:F2} s after PostgreSQL was back; 503 in {Median(unavailable.Select(a => a.DoneAt - a.SentAt)) * 1000:F0} ms " +
                    $"(median), {unavailable.Max(a => a.DoneAt - a.SentAt) * 1000:F0} ms (slowest); first acknowledged write {firstBack - outage.Started:F2} s after PostgreSQL was back");
            }
        }
        foreach (var writer in Writers)
        {
            output.WriteLine($"{writer}: {attempts.Count(a => a.Writer == writer && a.IsSuccess)} acknowledged, all stored; " +
                $"{attempts.Count(a => a.Writer == writer && a.Status == HttpStatusCode.ServiceUnavailable)} refused with 503");
        }
        output.WriteLine($"replayed deliveries (committed, answer lost in the stop, sent again): {attempts.Count(a => a.Writer == "deliveries" && a.Body.Contains("\"replayed\":true"))}");
        output.WriteLine($"children, contacts and needs stored whose answer was a 503 (allowed: never acknowledged): {unacknowledgedButStored}");
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted[sorted.Count / 2];
    }

    /// <summary>Two host processes forming one Orleans cluster (membership in <paramref name="membership"/>) on one database.</summary>
    private static async Task<List<HostProcess>> StartHostsAsync(ThrowawayPostgres server, RedisServer membership)
    {
        var environment = new Dictionary<string, string>
        {
            ["Database__Provider"] = "PostgreSQL",
            ["Database__ConnectionString"] = server.ConnectionString,
            ["Bootstrap__AdminUserName"] = TongxinApp.AdminUserName,
            ["Bootstrap__AdminPassword"] = TongxinApp.AdminPassword,
            ["Encryption__FieldKey"] = TongxinApp.FieldKey,
            ["Matching__AutoRun"] = "false",
            ["RateLimits__ListsPerMinute"] = "1000000",
            ["Cluster__Membership"] = "Redis",
            ["Cluster__Redis"] = membership.Configuration,
            ["Cluster__Id"] = "pgstop-" + Guid.NewGuid().ToString("N")[..8],
        };
        // The first host migrates the empty database alone; the second finds it ready.
        var hosts = new List<HostProcess> { HostProcess.Start(Directory.CreateTempSubdirectory("tongxin-pgstop1-").FullName, environment) };
        Assert.True(await hosts[0].WaitUntilHealthyAsync(TimeSpan.FromSeconds(90)), hosts[0].Output);
        hosts.Add(HostProcess.Start(Directory.CreateTempSubdirectory("tongxin-pgstop2-").FullName, environment));
        Assert.True(await hosts[1].WaitUntilHealthyAsync(TimeSpan.FromSeconds(90)), hosts[1].Output);
        return hosts;
    }

    /// <summary>One stop and start of PostgreSQL, in seconds since the test began.</summary>
    private sealed record OutageWindow(string Mode, double StopBegan, double Stopped, double StartBegan, double Started);

    /// <summary>One request a client sent, and what came back (or <see cref="Failure"/>: no answer at all).</summary>
    private sealed record Attempt(
        string Writer, int Host, string? Key, double SentAt, double DoneAt, HttpStatusCode? Status, string? ContentType, string Body, string? Id, string? Failure)
    {
        public bool IsSuccess => Status is { } status && (int)status is >= 200 and < 300;

        public ApiResponse AsResponse() =>
            new(Status!.Value, ContentType, Body, ContentType?.Contains("json") == true && Body.Length > 0 ? JsonNode.Parse(Body) : null);

        public override string ToString() =>
            $"{Writer} on host {Host + 1} at {SentAt:F2}–{DoneAt:F2} s: {(Failure ?? $"{(int?)Status} {ContentType}")} {Body[..Math.Min(300, Body.Length)]}";
    }

    /// <summary>An in-process host as a test's API host.</summary>
    private sealed class FactoryApiHost(WebApplicationFactory<Program> factory) : IApiHost
    {
        public async Task<Api> LoginAsync(string userName, string password)
        {
            var api = new Api(factory.CreateClient());
            await api.LoginAsync(userName, password);
            return api;
        }

        public Task<Api> AdminAsync() => LoginAsync(TongxinApp.AdminUserName, TongxinApp.AdminPassword);
    }

    /// <summary>Counts the matchmaker's warnings and errors: the sign that a batch failed.</summary>
    private sealed class WorkerFailures : ILoggerProvider, ILogger
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public ILogger CreateLogger(string categoryName) => categoryName == typeof(Tongxin.Host.Grains.MatchmakerGrain).FullName ? this : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Warning)
            {
                Interlocked.Increment(ref _count);
            }
        }

        public void Dispose()
        {
        }
    }
}
