using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Persistence;
using Tongxin.IntegrationTests.Infrastructure;

namespace Tongxin.LoadTests;

/// <summary>
/// Notifications under load (issue 17). <c>notify</c>: request help and accept offers against a host that writes
/// notifications with those changes and sends them by SMS to a loopback gateway, beside the same phases against the
/// build before notifications existed (<c>TONGXIN_BASELINE_HOST</c>: its Tongxin.Host.dll), A B A B on fresh databases;
/// prints each phase's throughput and the ratio per pair, and the time from each notification's commit to its SMS
/// request at the gateway. <c>notify-outage</c>: the gateway down (HTTP 500) for a minute while offers are made and
/// accepted; then counts what reaches the phones, and what twice.
/// </summary>
internal static class NotifyBenchmark
{
    /// <param name="OfferToGatewayMs">From the matching batch's answer (its commit) to each offer's SMS at the gateway.</param>
    /// <param name="AcceptToGatewayMs">From each acceptance's notification row (written in its transaction) to its SMS, under the accept load.</param>
    private sealed record Round(
        PhaseResult RequestHelp, PhaseResult Accept, int Offers, IReadOnlyList<double> OfferToGatewayMs, IReadOnlyList<double> AcceptToGatewayMs, int Sms, int Duplicates);

    private sealed record Message(string Event, DateTime CreatedAt, SmsRequest Sms);

    /// <summary>Waits (2 minutes at most) until each notification has reached the gateway; throws if one has not.</summary>
    private static async Task<List<Message>> DeliveredAsync(FakeSmsGateway gateway, Dictionary<string, (string Event, DateTime CreatedAt)> expected)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            var delivered = gateway.Delivered.ToDictionary(d => d.OutId);
            var missing = expected.Keys.Count(id => !delivered.ContainsKey(id));
            if (missing == 0)
            {
                return expected.Select(e => new Message(e.Value.Event, e.Value.CreatedAt, delivered[e.Key])).ToList();
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"{missing} of {expected.Count} SMS did not reach the gateway in 2 minutes.");
            }
            await Task.Delay(100);
        }
    }

    public static async Task<int> RunAsync(string database, int rounds)
    {
        var baseline = Environment.GetEnvironmentVariable("TONGXIN_BASELINE_HOST");
        await using var gateway = await FakeSmsGateway.StartAsync();
        var pairs = new List<(Round? Today, Round Now)>();
        for (var r = 1; r <= rounds; r++)
        {
            var today = baseline is null ? null : await RoundAsync(database, baseline, null);
            // TONGXIN_NOTIFY_SMS=off: notifications written (and dispatched) with no channel to send by, to tell the
            // cost of writing them with the change from the cost of sending them on the same two cores.
            var now = await RoundAsync(database, HostProcess.HostAssembly, System.Environment.GetEnvironmentVariable("TONGXIN_NOTIFY_SMS") == "off" ? null : gateway);
            pairs.Add((today, now));
            Console.WriteLine($"round {r}:");
            if (today is not null)
            {
                Console.WriteLine($"  before notifications: {today.RequestHelp}");
                Console.WriteLine($"  before notifications: {today.Accept}");
            }
            Console.WriteLine($"  with notifications:   {now.RequestHelp}");
            Console.WriteLine($"  with notifications:   {now.Accept}");
            Console.WriteLine($"  SMS: {now.Sms} for {now.Offers} offers made and accepted; answered twice: {now.Duplicates}");
            Console.WriteLine($"  batch of {now.OfferToGatewayMs.Count} offers, commit to gateway: p50 {Percentile(now.OfferToGatewayMs, 0.5):F0} ms, p99 {Percentile(now.OfferToGatewayMs, 0.99):F0} ms, max {now.OfferToGatewayMs.Max():F0} ms");
            Console.WriteLine($"  {now.AcceptToGatewayMs.Count} acceptances under load, commit to gateway: p50 {Percentile(now.AcceptToGatewayMs, 0.5):F0} ms, p99 {Percentile(now.AcceptToGatewayMs, 0.99):F0} ms, max {now.AcceptToGatewayMs.Max():F0} ms");
        }
        Console.WriteLine();
        Console.WriteLine($"medians over {rounds} rounds ({database}):");
        var helpNow = Phase.Median(pairs.Select(p => p.Now.RequestHelp.PerSecond));
        var acceptNow = Phase.Median(pairs.Select(p => p.Now.Accept.PerSecond));
        Console.WriteLine($"  request help: {helpNow:F0}/s with notifications");
        Console.WriteLine($"  accept:       {acceptNow:F0}/s with notifications");
        if (baseline is not null)
        {
            Console.WriteLine($"  request help: {Phase.Median(pairs.Select(p => p.Today!.RequestHelp.PerSecond)):F0}/s before; ratio per pair (with/before): {string.Join(", ", pairs.Select(p => $"{p.Now.RequestHelp.PerSecond / p.Today!.RequestHelp.PerSecond:F2}"))}, median {Phase.Median(pairs.Select(p => p.Now.RequestHelp.PerSecond / p.Today!.RequestHelp.PerSecond)):F2}");
            Console.WriteLine($"  accept:       {Phase.Median(pairs.Select(p => p.Today!.Accept.PerSecond)):F0}/s before; ratio per pair (with/before): {string.Join(", ", pairs.Select(p => $"{p.Now.Accept.PerSecond / p.Today!.Accept.PerSecond:F2}"))}, median {Phase.Median(pairs.Select(p => p.Now.Accept.PerSecond / p.Today!.Accept.PerSecond)):F2}");
        }
        if (pairs.All(p => p.Now.Sms == 0))
        {
            return 0;
        }
        var offered = pairs.SelectMany(p => p.Now.OfferToGatewayMs).ToList();
        var accepted = pairs.SelectMany(p => p.Now.AcceptToGatewayMs).ToList();
        Console.WriteLine($"  commit to SMS gateway, {offered.Count} offers made in batches: p50 {Percentile(offered, 0.5):F0} ms, p99 {Percentile(offered, 0.99):F0} ms, max {offered.Max():F0} ms");
        Console.WriteLine($"  commit to SMS gateway, {accepted.Count} acceptances under load: p50 {Percentile(accepted, 0.5):F0} ms, p99 {Percentile(accepted, 0.99):F0} ms, max {accepted.Max():F0} ms");
        Console.WriteLine($"  answered twice: {pairs.Sum(p => p.Now.Duplicates)}");
        return 0;
    }

    private static async Task<Round> RoundAsync(string database, string hostAssembly, FakeSmsGateway? gateway)
    {
        var work = Directory.CreateTempSubdirectory("tongxin-notify-").FullName;
        await using var postgres = database == "postgres" ? ScratchPostgres.New("tongxin_notify") : null;
        var connectionString = postgres?.ConnectionString ?? $"Data Source={Path.Combine(work, "data", "tongxin.db")}";
        var environment = HostSettings(postgres, gateway);
        var host = HostProcess.StartBuild(hostAssembly, work, environment);
        try
        {
            if (!await host.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60)))
            {
                throw new InvalidOperationException(host.Output);
            }
            Phase.HostProcessId = host.ProcessId;
            var (county, directors, volunteers) = await CountyWithVolunteersAsync(host.Address, gateway is not null);
            var children = county.Children;
            Task<HttpResponseMessage> RequestHelp(int i)
            {
                var (child, village) = children[i % children.Count];
                return directors[village].Http.PostAsJsonAsync($"/api/children/{child}/needs", new
                {
                    line = "tutoring", urgency = "normal",
                    details = new { subject = i % 2 == 0 ? "maths" : "chinese", grade = 1 + i % 9, schedule = new[] { "weekday-afternoon" }, mode = "online" },
                });
            }
            await Phase.RunAsync("warm-up", 32, 1_000, RequestHelp);
            await Task.Delay(TimeSpan.FromSeconds(2));
            var requestHelp = await Phase.RunAsync("POST /api/children/{id}/needs (request help)", 32, 3_000, RequestHelp);

            var civil = await LoadClient.LoginAsync(host.Address, "civil", County.Password);
            await civil.PostAsync("/api/matching/run", new { line = "tutoring" });
            // The batch has committed when its answer arrives: the offers' SMS are timed from then.
            var matched = DateTime.UtcNow;
            var offers = new List<(LoadClient Client, string Id)>();
            foreach (var volunteer in volunteers)
            {
                foreach (var offer in (await volunteer.GetAsync("/api/offers?mine=true&status=pending")).AsArray())
                {
                    offers.Add((volunteer, offer!["id"]!.GetValue<string>()));
                }
            }
            var offerLatencies = new List<double>();
            if (gateway is not null)
            {
                // The offers' SMS go out before the volunteers answer (in a county, days apart), so the accept phase
                // carries its own notifications' sending, not the batch's.
                var made = await DeliveredAsync(gateway, await NotificationsWithPhoneAsync(database, connectionString));
                offerLatencies.AddRange(made.Select(m => (m.Sms.ReceivedAtUtc - matched).TotalMilliseconds));
            }
            var accept = await Phase.RunAsync("POST /api/offers/{id}/accept", 32, offers.Count,
                i => offers[i].Client.Http.PostAsync($"/api/offers/{offers[i].Id}/accept", null));

            if (gateway is null)
            {
                return new Round(requestHelp, accept, offers.Count, [0], [0], 0, 0);
            }
            var all = await DeliveredAsync(gateway, await NotificationsWithPhoneAsync(database, connectionString));
            var acceptLatencies = all.Where(m => m.Event == "offer.accepted").Select(m => (m.Sms.ReceivedAtUtc - m.CreatedAt).TotalMilliseconds).ToList();
            var answered = gateway.AnsweredOk;
            return new Round(requestHelp, accept, offers.Count, offerLatencies, acceptLatencies, all.Count, all.Count(m => answered.GetValueOrDefault(m.Sms.OutId) > 1));
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    /// <summary>The gateway down (HTTP 500) for a minute from its first request, then back: every SMS arrives, none twice.</summary>
    public static async Task<int> RunOutageAsync(string database)
    {
        await using var gateway = await FakeSmsGateway.StartAsync();
        gateway.Mode = FakeSmsGateway.Behaviour.Fail;
        var work = Directory.CreateTempSubdirectory("tongxin-outage-").FullName;
        await using var postgres = database == "postgres" ? ScratchPostgres.New("tongxin_outage") : null;
        var connectionString = postgres?.ConnectionString ?? $"Data Source={Path.Combine(work, "data", "tongxin.db")}";
        var host = HostProcess.Start(work, HostSettings(postgres, gateway));
        try
        {
            if (!await host.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60)))
            {
                throw new InvalidOperationException(host.Output);
            }
            var (county, directors, volunteers) = await CountyWithVolunteersAsync(host.Address, withPhones: true);
            var children = county.Children;
            await Phase.RunAsync("request help", 32, 400, i =>
            {
                var (child, village) = children[i % children.Count];
                return directors[village].Http.PostAsJsonAsync($"/api/children/{child}/needs", new
                {
                    line = "tutoring", urgency = "normal",
                    details = new { subject = "maths", grade = 1 + i % 9, schedule = new[] { "weekday-afternoon" }, mode = "online" },
                });
            });
            var civil = await LoadClient.LoginAsync(host.Address, "civil", County.Password);
            await civil.PostAsync("/api/matching/run", new { line = "tutoring" });
            var down = DateTime.UtcNow;
            var offers = new List<(LoadClient Client, string Id)>();
            foreach (var volunteer in volunteers)
            {
                foreach (var offer in (await volunteer.GetAsync("/api/offers?mine=true&status=pending")).AsArray())
                {
                    offers.Add((volunteer, offer!["id"]!.GetValue<string>()));
                }
            }
            await Phase.RunAsync("accept", 16, offers.Count, i => offers[i].Client.Http.PostAsync($"/api/offers/{offers[i].Id}/accept", null));
            var failedWhileDown = gateway.Received.Count;
            await Task.Delay(down.AddMinutes(1) - DateTime.UtcNow is { Ticks: > 0 } left ? left : TimeSpan.Zero);
            gateway.Mode = FakeSmsGateway.Behaviour.Answer;
            var up = DateTime.UtcNow;
            Console.WriteLine($"gateway down {(up - down).TotalSeconds:F0} s: {failedWhileDown} requests failed meanwhile (500)");

            var expected = await NotificationsWithPhoneAsync(database, connectionString);
            var deadline = DateTime.UtcNow.AddMinutes(10);
            while (!expected.Keys.All(gateway.Delivered.Select(d => d.OutId).ToHashSet().Contains) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(500);
            }
            var delivered = gateway.Delivered.ToDictionary(d => d.OutId);
            var last = expected.Keys.Where(delivered.ContainsKey).Select(id => delivered[id].ReceivedAtUtc).DefaultIfEmpty(up).Max();
            var answered = gateway.AnsweredOk;
            Console.WriteLine($"SMS to send: {expected.Count} (offers made and accepted); delivered after the outage: {expected.Keys.Count(delivered.ContainsKey)}; " +
                $"answered OK twice: {expected.Keys.Count(id => answered.GetValueOrDefault(id) > 1)}; requests in all: {gateway.Received.Count}; " +
                $"last delivered {(last - up).TotalSeconds:F0} s after the gateway came back");
            return expected.Keys.All(delivered.ContainsKey) && answered.Values.All(n => n == 1) ? 0 : 1;
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    private static Dictionary<string, string> HostSettings(ScratchPostgres? postgres, FakeSmsGateway? gateway)
    {
        var environment = new Dictionary<string, string>
        {
            ["Bootstrap__AdminUserName"] = LoadTool.Admin,
            ["Bootstrap__AdminPassword"] = LoadTool.AdminPassword,
            ["Logging__LogLevel__Default"] = "Warning",
            ["RateLimits__ListsPerMinute"] = "100000000",
            ["Matching__AutoRun"] = "false",
        };
        if (postgres is not null)
        {
            environment["Database__Provider"] = "PostgreSQL";
            environment["Database__ConnectionString"] = postgres.ConnectionString;
        }
        if (gateway is not null)
        {
            environment["Notifications__Sms__Url"] = gateway.Url;
            environment["Notifications__Sms__Secret"] = FakeSmsGateway.Secret;
            // Figures at any hour: quiet hours would hold the offers' SMS until 07:00.
            environment["Notifications__QuietFrom"] = "00:00";
            environment["Notifications__QuietUntil"] = "00:00";
            foreach (var evt in Tongxin.Host.Notifications.NotificationEvents.All)
            {
                environment[$"Notifications__Sms__Templates__{evt}"] = "SMS_" + evt.Replace('.', '_').ToUpperInvariant();
            }
        }
        return environment;
    }

    /// <summary>A county of 400 children, its directors signed in, and 20 vetted tutors (capacity 20 each) signed in.</summary>
    private static async Task<(County County, Dictionary<string, LoadClient> Directors, List<LoadClient> Volunteers)> CountyWithVolunteersAsync(Uri address, bool withPhones)
    {
        var county = await County.CreateAsync(address, LoadTool.Admin, LoadTool.AdminPassword, towns: 2, villagesPerTown: 5, childrenPerVillage: 40);
        var civil = await LoadClient.LoginAsync(address, "civil", County.Password);
        var directors = await county.SignInDirectorsAsync(address);
        var admin = await LoadClient.LoginAsync(address, LoadTool.Admin, LoadTool.AdminPassword);
        var volunteers = new List<LoadClient>();
        var phone = 13_900_000_000L;
        foreach (var village in county.Villages)
        {
            for (var k = 0; k < 2; k++)
            {
                var name = $"v{k}-{village}";
                await admin.PostAsync("/api/users", new { userName = name, password = County.Password, role = "volunteer", regionCode = village });
                var client = await LoadClient.LoginAsync(address, name, County.Password);
                var id = LoadClient.Id(await client.PostAsync("/api/volunteers", new
                {
                    displayName = name, gender = "female", regionCode = village, lines = new[] { "tutoring" }, capacity = 20,
                    availability = new[] { "weekday-afternoon", "weekend-morning" },
                    skills = new Dictionary<string, object> { ["tutoring"] = new { subjects = new[] { "maths", "chinese" }, gradeMin = 1, gradeMax = 9, modes = new[] { "in-person", "online" } } },
                }));
                await civil.Http.PutAsJsonAsync($"/api/volunteers/{id}/vetting", new { status = "passed", checkedAt = DateTime.UtcNow.AddDays(-1), expiresAt = DateTime.UtcNow.AddYears(1), reference = "load" });
                volunteers.Add(client);
            }
        }
        if (withPhones)
        {
            foreach (var user in volunteers.Concat(directors.Values))
            {
                (await user.Http.PutAsJsonAsync("/api/notifications/preferences", new { items = Array.Empty<object>(), phone = (++phone).ToString(System.Globalization.CultureInfo.InvariantCulture) }))
                    .EnsureSuccessStatusCode();
            }
        }
        return (county, directors, volunteers);
    }

    /// <summary>Every notification whose person has a phone number (each one SMS), with its commit time.</summary>
    private static async Task<Dictionary<string, (string Event, DateTime CreatedAt)>> NotificationsWithPhoneAsync(string database, string connectionString)
    {
        var options = new DbContextOptionsBuilder<TongxinDbContext>();
        _ = database == "postgres" ? options.UseNpgsql(connectionString) : options.UseSqlite(connectionString);
        await using var db = new TongxinDbContext(options.Options);
        var rows = await db.Notifications.AsNoTracking()
            .Where(n => db.Users.Any(u => u.Id == n.UserId && u.Phone != null))
            .Select(n => new { n.Id, n.Event, n.CreatedAt }).ToListAsync();
        SqliteConnection.ClearAllPools();
        return rows.ToDictionary(r => r.Id, r => (r.Event, r.CreatedAt));
    }

    private static double Percentile(IReadOnlyList<double> values, double share)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(share * sorted.Count) - 1)];
    }
}
