using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Tongxin.LoadTests;

/// <summary>
/// A county's day, replayed against one host: supervisors read dashboards and files, directors request
/// help, matching runs, volunteers accept, an organisation reports deliveries. Prints throughput and
/// p50/p95/p99 per route. The two routes with targets (issue 7) run twice: at the target's fixed offered rate
/// (the p99 there is what the target means) and at saturation (the most the host answers). Bounded: fixed
/// request counts, two minutes per phase at most, loopback only.
/// </summary>
internal static class CountyDay
{
    /// <summary>
    /// Issue 7's offered rates: reading a file 5,000/s; requesting help 1,000/s on PostgreSQL, 300/s on SQLite.
    /// <c>TONGXIN_LOAD_READ_RATE</c> offers another read rate (to find the highest one that keeps the latency target).
    /// </summary>
    private static readonly double ReadTarget = double.Parse(Environment.GetEnvironmentVariable("TONGXIN_LOAD_READ_RATE") ?? "5000", System.Globalization.CultureInfo.InvariantCulture);

    private static readonly TimeSpan AtRateFor = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(Uri address, string admin, string adminPassword, int scale, string database, bool onlyTargets)
    {
        var needsTarget = database == "postgres" ? 1_000 : 300;
        var county = await County.CreateAsync(address, admin, adminPassword, towns: 2, villagesPerTown: 5, childrenPerVillage: 40);
        var civil = await LoadClient.LoginAsync(address, "civil", County.Password);
        var fulian = await LoadClient.LoginAsync(address, "fulian", County.Password);
        var supervisor = await LoadClient.LoginAsync(address, $"supervisor-{county.Towns[0]}", County.Password);
        var directors = await county.SignInDirectorsAsync(address);

        // Volunteers: a tutor and a Caring Mother per village, vetted, each with her own account.
        var admins = await LoadClient.LoginAsync(address, admin, adminPassword);
        var volunteers = new List<LoadClient>();
        foreach (var village in county.Villages)
        {
            for (var k = 0; k < 2; k++)
            {
                var name = $"v{k}-{village}";
                await admins.PostAsync("/api/users", new { userName = name, password = County.Password, role = "volunteer", regionCode = village });
                var client = await LoadClient.LoginAsync(address, name, County.Password);
                var id = LoadClient.Id(await client.PostAsync("/api/volunteers", new
                {
                    displayName = name, gender = "female", regionCode = village, lines = new[] { "tutoring", "caring-mother" }, capacity = 20,
                    availability = new[] { "weekday-afternoon", "weekend-morning" },
                    skills = new Dictionary<string, object>
                    {
                        ["tutoring"] = new { subjects = new[] { "maths", "chinese" }, gradeMin = 1, gradeMax = 9, modes = new[] { "in-person", "online" } },
                        ["caring-mother"] = new { supportKinds = new[] { "daily-life" } },
                    },
                }));
                await civil.Http.PutAsJsonAsync($"/api/volunteers/{id}/vetting", new { status = "passed", checkedAt = DateTime.UtcNow.AddDays(-1), expiresAt = DateTime.UtcNow.AddYears(1), reference = "load" });
                volunteers.Add(client);
            }
        }
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var contract = LoadClient.Id(await civil.PostAsync("/api/contracts", new
        {
            organisationId = county.SocialWorkOrgId, line = "home-visit", regionCodes = county.Towns, units = 1_000_000, unitKind = "visit", unitPrice = 80m,
            startsOn = today.AddDays(-30).ToString("yyyy-MM-dd"), endsOn = today.AddDays(30).ToString("yyyy-MM-dd"), fundingSource = "budget",
        }));
        var shegong = await LoadClient.LoginAsync(address, "shegong", County.Password);
        var children = county.Children;
        var results = new List<PhaseResult>();

        await county.AddContactHistoryAsync(directors);

        Task<HttpResponseMessage> ReadFile(int i) => civil.Http.GetAsync($"/api/children/{children[i % children.Count].Id}");
        Task<HttpResponseMessage> RequestHelp(int i)
        {
            var (child, village) = children[i % children.Count];
            return directors[village].Http.PostAsJsonAsync($"/api/children/{child}/needs", new
            {
                line = "tutoring", urgency = i % 7 == 0 ? "urgent" : "normal",
                details = new { subject = i % 2 == 0 ? "maths" : "chinese", grade = 1 + i % 9, schedule = new[] { "weekday-afternoon" }, mode = "online" },
            });
        }

        // Warm-up: first calls compile, fill pools and activate grains; not measured. Long enough (several seconds
        // of load, then a pause) for tiered compilation to finish promoting the hot methods in the background:
        // with a short warm-up the first measured phase ran half-compiled code and used 1.5 times the CPU per request.
        await Phase.RunAsync("warm-up", 64, 30_000, ReadFile);
        await Phase.RunAsync("warm-up", 32, 3_000, RequestHelp);
        await Task.Delay(TimeSpan.FromSeconds(3));

        // The target routes through the lean generator (RawHttp: keep-alive connections opened first, little CPU of
        // its own); the HttpClient runs stay beside them for comparison with earlier figures.
        await using var raw = await RawHttp.OpenAsync(address, 256);
        var readRequests = children.Select(c => raw.Get($"/api/children/{c.Id}", civil.Token)).ToArray();
        byte[] RawRead(int i) => readRequests[i % readRequests.Length];
        byte[] RawRequestHelp(int i)
        {
            var (child, village) = children[i % children.Count];
            return raw.Post($"/api/children/{child}/needs", directors[village].Token, JsonSerializer.Serialize(new
            {
                line = "tutoring", urgency = i % 7 == 0 ? "urgent" : "normal",
                details = new { subject = i % 2 == 0 ? "maths" : "chinese", grade = 1 + i % 9, schedule = new[] { "weekday-afternoon" }, mode = "online" },
            }));
        }
        await raw.RunAsync("warm-up", 64, 20_000, RawRead);
        await Task.Delay(TimeSpan.FromSeconds(2));

        results.Add(await raw.RunAtRateAsync("GET /api/children/{id} (read a file)", ReadTarget, AtRateFor, RawRead));
        results.Add(await raw.RunAsync("GET /api/children/{id} (read a file)", 64, 20_000 * scale, RawRead));
        results.Add(await Phase.RunAtRateAsync("GET /api/children/{id} (read a file, HttpClient)", ReadTarget, AtRateFor, ReadFile));
        results.Add(await Phase.RunAsync("GET /api/children/{id} (read a file, HttpClient)", 64, 20_000 * scale, ReadFile));

        // Where a read's time goes, by difference: the same pipeline with no database (modules), and signed in with
        // one small query and no audit row (me).
        results.Add(await Phase.RunAsync("GET /api/modules (reference: anonymous, no db)", 64, 20_000 * scale, _ => civil.Http.GetAsync("/api/modules")));
        results.Add(await Phase.RunAsync("GET /api/me (reference: token, 1 query, no audit)", 64, 20_000 * scale, _ => civil.Http.GetAsync("/api/me")));

        // The reads ran for a minute since request help was last warmed up: warm it again, as the reads were.
        await raw.RunAsync("warm-up", 32, 2_000, RawRequestHelp);
        await Task.Delay(TimeSpan.FromSeconds(2));
        results.Add(await raw.RunAtRateAsync("POST /api/children/{id}/needs (request help)", needsTarget, AtRateFor, RawRequestHelp));
        results.Add(await raw.RunAsync("POST /api/children/{id}/needs (request help)", 32, 6_000 * scale, RawRequestHelp));
        results.Add(await Phase.RunAtRateAsync("POST /api/children/{id}/needs (request help, HttpClient)", needsTarget, AtRateFor, RequestHelp));
        if (onlyTargets)
        {
            return Report(county, volunteers.Count, 0, results);
        }

        results.Add(await Phase.RunAsync("POST /api/matching/run (county batch)", 1, 1,
            _ => civil.Http.PostAsJsonAsync("/api/matching/run", new { line = "tutoring" }), TimeSpan.FromMinutes(5)));

        var offers = new List<(LoadClient Client, string Id)>();
        foreach (var volunteer in volunteers)
        {
            foreach (var offer in (await volunteer.GetAsync("/api/offers?mine=true&status=pending")).AsArray())
            {
                offers.Add((volunteer, offer!["id"]!.GetValue<string>()));
            }
        }
        results.Add(await Phase.RunAsync("POST /api/offers/{id}/accept", 32, offers.Count,
            i => offers[i].Client.Http.PostAsync($"/api/offers/{offers[i].Id}/accept", null)));

        results.Add(await Phase.RunAsync("POST /api/contracts/{id}/deliveries", 32, 4_000 * scale, i =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/contracts/{contract}/deliveries")
            {
                Content = JsonContent.Create(new { childId = children[i % children.Count].Id, at = DateTime.UtcNow.AddHours(-1 - i % 500), units = 1, kind = "visit", notes = "入户走访" }),
            };
            request.Headers.Add("Idempotency-Key", $"load-{i}");
            return shegong.Http.SendAsync(request);
        }));

        results.Add(await Phase.RunAsync("GET /api/children?page= (dashboard list)", 32, 4_000 * scale,
            i => supervisor.Http.GetAsync($"/api/children?page={1 + i % 10}&pageSize=20")));
        results.Add(await Phase.RunAsync("GET /api/followups/overdue (town)", 16, 500 * scale,
            _ => supervisor.Http.GetAsync("/api/followups/overdue")));
        results.Add(await Phase.RunAsync("GET /api/needs (town)", 16, 500 * scale,
            _ => supervisor.Http.GetAsync("/api/needs")));

        return Report(county, volunteers.Count, offers.Count, results);
    }

    private static int Report(County county, int volunteers, int offers, List<PhaseResult> results)
    {
        Console.WriteLine();
        Console.WriteLine($"county: {county.Towns.Count} towns, {county.Villages.Count} villages, {county.Children.Count} children (6 contacts each), {volunteers} volunteers, {offers} offers");
        foreach (var result in results)
        {
            Console.WriteLine(result);
        }
        return results.Sum(r => r.Errors) == 0 ? 0 : 1;
    }
}
