using System.Net;
using System.Text;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.PurchasedServices;

public sealed class PurchasedServiceTestsOnSqlite(SqliteMatchingApp app) : PurchasedServiceTests(app), IClassFixture<SqliteMatchingApp>;

public sealed class PurchasedServiceTestsOnPostgres(PostgresMatchingApp app) : PurchasedServiceTests(app), IClassFixture<PostgresMatchingApp>;

/// <summary>Civil affairs buys, the social-work organisation reports each delivery, the county reconciles.</summary>
public abstract class PurchasedServiceTests(TongxinApp app)
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8));

    private static string Day(int offset) => Today.AddDays(offset).ToString("yyyy-MM-dd");

    /// <summary>A moment on a China calendar day: noon there.</summary>
    private static DateTime At(int dayOffset) => Today.AddDays(dayOffset).ToDateTime(new TimeOnly(12, 0), DateTimeKind.Utc).AddHours(-8);

    private static async Task<string> ContractAsync(TestCounty county, int units = 100, string line = "counselling", string unitKind = "session",
        decimal unitPrice = 150.50m, int startOffset = -60, int endOffset = 30, string[]? regions = null)
    {
        var civil = await county.As("civil");
        return (await civil.PostAsync("/api/contracts", new
        {
            organisationId = county.SocialWorkOrgId,
            line,
            title = "留守儿童心理疏导服务",
            regionCodes = regions ?? [county.TownA, county.TownB],
            units,
            unitKind,
            unitPrice,
            startsOn = Day(startOffset),
            endsOn = Day(endOffset),
            fundingSource = "welfare-lottery",
        })).AssertStatus(HttpStatusCode.Created).Id;
    }

    private static object Delivery(string childId, DateTime at, int units = 1, string kind = "session", string notes = "个案辅导") =>
        new { childId, at, units, kind, notes };

    private static async Task<ApiResponse> ReportAsync(Api api, string contract, object body, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/contracts/{contract}/deliveries") { Content = System.Net.Http.Json.JsonContent.Create(body) };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }
        return await api.SendAsync(request);
    }

    [Fact]
    public async Task ContractsAreCheckedOnTheWayIn()
    {
        var county = await TestCounty.CreateAsync(app);
        var civil = await county.As("civil");
        (await civil.PostAsync("/api/contracts", new
        {
            organisationId = county.SocialWorkOrgId, line = "counselling", regionCodes = new[] { county.TownA }, units = 0, unitKind = "session",
            unitPrice = -5m, startsOn = Day(10), endsOn = Day(1), fundingSource = "lottery",
        })).AssertFieldErrors("fundingSource", "units", "unitPrice", "endsOn");
        // A bad date and a bad enum together, with the validator's refusals: one answer names them all.
        (await civil.PostAsync("/api/contracts", new
        {
            organisationId = county.SocialWorkOrgId, line = "counselling", regionCodes = new[] { county.TownA }, units = "ten", unitKind = "day",
            unitPrice = 100m, startsOn = "2026-02-30", endsOn = Day(30),
        })).AssertFieldErrors("units", "unitKind", "startsOn");
        Assert.Empty((await civil.GetAsync("/api/contracts")).Array);
        (await civil.PostAsync("/api/contracts", new
        {
            organisationId = county.SocialWorkOrgId, line = "counselling", regionCodes = new[] { county.TownA }, units = 0, unitKind = "session",
            unitPrice = 10.001m, startsOn = Day(10), endsOn = Day(1), fundingSource = "budget",
        })).AssertFieldErrors("units", "unitPrice", "endsOn");
        (await civil.PostAsync("/api/contracts", new
        {
            organisationId = county.FederationId, line = "counselling", regionCodes = new[] { county.TownA }, units = 10, unitKind = "session",
            unitPrice = 100m, startsOn = Day(0), endsOn = Day(30), fundingSource = "budget",
        })).AssertFieldErrors("organisationId");
        (await civil.PostAsync("/api/contracts", new
        {
            organisationId = county.SocialWorkOrgId, line = "counselling", regionCodes = new[] { SampleCounty.TownA }, units = 10, unitKind = "session",
            unitPrice = 100m, startsOn = Day(0), endsOn = Day(30), fundingSource = "budget",
        })).AssertStatus(HttpStatusCode.BadRequest); // a region of no county here
        (await (await county.As("shegong")).PostAsync("/api/contracts", new { })).AssertProblem(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task TheSameIdempotencyKeyAndBodyIsTheSameReportAndAnotherBodyIsRefused()
    {
        var county = await TestCounty.CreateAsync(app);
        var contract = await ContractAsync(county);
        var child = await county.ChildAsync("director-a1", county.VillageA1);
        var shegong = await county.As("shegong");

        (await ReportAsync(shegong, contract, Delivery(child, At(-3)))).AssertFieldErrors("Idempotency-Key");
        var first = (await ReportAsync(shegong, contract, Delivery(child, At(-3)), "visit-0001")).AssertStatus(HttpStatusCode.Created);
        var again = (await ReportAsync(shegong, contract, Delivery(child, At(-3)), "visit-0001")).AssertStatus(HttpStatusCode.Created);
        Assert.Equal(first.Id, again.Id);
        Assert.True(again.Get<bool>("replayed"));
        var other = await ReportAsync(shegong, contract, Delivery(child, At(-3), units: 2), "visit-0001");
        other.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(other.Json!["errors"]!["Idempotency-Key"]);

        Assert.Single((await shegong.GetAsync($"/api/contracts/{contract}/deliveries")).Array);
        Assert.Equal(1, (await shegong.GetAsync($"/api/contracts/{contract}")).Get<int>("deliveredUnits"));
    }

    [Fact]
    public async Task DeliveriesOutsideTheContractsRulesAreRefusedNamingTheReason()
    {
        var county = await TestCounty.CreateAsync(app);
        var contract = await ContractAsync(county, units: 5, regions: [county.TownA]);
        var inTown = await county.ChildAsync("director-a1", county.VillageA1);
        var otherTown = await county.ChildAsync("director-b1", county.VillageB1);
        var noConsent = await county.ChildAsync("director-a1", county.VillageA1, consent: false);
        var shegong = await county.As("shegong");

        async Task Refused(object body, string field)
        {
            var response = await ReportAsync(shegong, contract, body, Guid.NewGuid().ToString());
            response.AssertProblem(HttpStatusCode.UnprocessableEntity);
            Assert.Contains(field, response.Json!["errors"]!.AsObject().Select(e => e.Key));
        }
        await Refused(Delivery(otherTown, At(-1)), "childId");
        await Refused(Delivery(noConsent, At(-1)), "guardianConsent");
        await Refused(Delivery(inTown, At(-61)), "at");
        await Refused(Delivery(inTown, At(-1), kind: "hour"), "kind");
        await Refused(Delivery(inTown, At(-1), units: 6), "units");
        (await ReportAsync(shegong, contract, Delivery(inTown, At(-1), units: 0), "zero")).AssertFieldErrors("units");
        (await ReportAsync(await county.As("civil"), contract, Delivery(inTown, At(-1)), "civil")).AssertProblem(HttpStatusCode.Forbidden);
        Assert.Empty((await shegong.GetAsync($"/api/contracts/{contract}/deliveries")).Array);
    }

    [Fact]
    public async Task ACsvWithThreeBadRowsInAThousandIsRefusedWholeNamingTheLinesAndTheFixedOneIsWritten()
    {
        var county = await TestCounty.CreateAsync(app);
        var contract = await ContractAsync(county, units: 2000);
        var children = new[]
        {
            await county.ChildAsync("director-a1", county.VillageA1),
            await county.ChildAsync("director-a2", county.VillageA2),
            await county.ChildAsync("director-b1", county.VillageB1),
        };
        var lines = new List<string> { "childId,at,units,kind,notes" };
        for (var i = 0; i < 1000; i++)
        {
            lines.Add($"{children[i % 3]},{At(-(i % 50) - 1):O},1,session,\"第{i}次, 家访后辅导\"");
        }
        var good = lines.ToList();
        lines[101] = $"{children[0]},not-a-date,1,session,x";          // file line 102
        lines[501] = $"nobody,{At(-2):O},1,session,x";                  // file line 502
        lines[901] = $"{children[1]},{At(-2):O},1,visit,x";             // file line 902
        var shegong = await county.As("shegong");

        var refused = await shegong.PostRawAsync($"/api/contracts/{contract}/deliveries:bulk", string.Join("\n", lines), "text/csv");
        refused.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["line 102", "line 502", "line 902"], refused.Json!["errors"]!.AsObject().Select(e => e.Key).Order());
        Assert.Contains("at", refused.Json["errors"]!["line 102"]![0]!.GetValue<string>());
        Assert.Contains("childId", refused.Json["errors"]!["line 502"]![0]!.GetValue<string>());
        Assert.Contains("kind", refused.Json["errors"]!["line 902"]![0]!.GetValue<string>());
        Assert.Empty((await shegong.GetAsync($"/api/contracts/{contract}/deliveries")).Array);

        var written = (await shegong.PostRawAsync($"/api/contracts/{contract}/deliveries:bulk", string.Join("\n", good), "text/csv")).AssertStatus(HttpStatusCode.Created);
        Assert.Equal(1000, written.Get<int>("imported"));
        Assert.Equal(1000, (await shegong.GetAsync($"/api/contracts/{contract}")).Get<int>("deliveredUnits"));
        (await shegong.PostRawAsync($"/api/contracts/{contract}/deliveries:bulk", "id,when\n1,2", "text/csv")).AssertFieldErrors("header");
        (await shegong.PostRawAsync($"/api/contracts/{contract}/deliveries:bulk", string.Join("\n", good), "application/json")).AssertProblem(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task ReconciliationGivesExactFiguresByTownAndMonthWithTheFlags()
    {
        var county = await TestCounty.CreateAsync(app);
        // A period that has ended: 100 days up to yesterday; its last tenth is the last 10 days.
        var contract = await ContractAsync(county, units: 40, unitPrice: 150.50m, startOffset: -100, endOffset: -1);
        var a1 = await county.ChildAsync("director-a1", county.VillageA1);
        var a2 = await county.ChildAsync("director-a2", county.VillageA2);
        var b1 = await county.ChildAsync("director-b1", county.VillageB1);
        // a1 has an open counselling need; a2 and b1 have none.
        await county.NeedAsync("director-a1", a1, "counselling", new { reasonCategory = "emotional", mode = "phone" });
        var shegong = await county.As("shegong");
        var plan = new (string Child, int Day, int Units)[]
        {
            (a1, -90, 2), (a1, -60, 1), (a2, -60, 1), (b1, -45, 3), // before the last tenth: 7 units
            (a1, -5, 2), (a1, -5, 1), (a2, -3, 4), (b1, -2, 3),      // in the last tenth: 10 units; a1 twice on day -5
        };
        var n = 0;
        foreach (var (child, day, units) in plan)
        {
            (await ReportAsync(shegong, contract, Delivery(child, At(day), units), $"k{n++}")).AssertStatus(HttpStatusCode.Created);
        }
        // A withdrawn delivery does not count.
        var withdrawn = (await ReportAsync(shegong, contract, Delivery(b1, At(-20), 5), "k-withdrawn")).AssertStatus(HttpStatusCode.Created).Id;
        (await shegong.PostAsync($"/api/deliveries/{withdrawn}/withdraw", new { reason = "重复录入" })).AssertStatus(HttpStatusCode.OK);

        var r = (await (await county.As("civil")).GetAsync($"/api/contracts/{contract}/reconciliation")).AssertStatus(HttpStatusCode.OK).Json!;
        Assert.Equal(40, r["contracted"]!.GetValue<int>());
        Assert.Equal(17, r["delivered"]!.GetValue<int>());
        Assert.Equal(23, r["remaining"]!.GetValue<int>());
        Assert.Equal(17 * 150.50m, r["spent"]!.GetValue<decimal>());
        Assert.Equal(40 * 150.50m, r["contractedAmount"]!.GetValue<decimal>());

        var byTown = r["byTown"]!.AsArray().ToDictionary(t => t!["townCode"]!.GetValue<string>(), t => t!["units"]!.GetValue<int>());
        Assert.Equal(new Dictionary<string, int> { [county.TownA] = 11, [county.TownB] = 6 }, byTown);
        var expectedByMonth = plan.GroupBy(p => Today.AddDays(p.Day).ToString("yyyy-MM")).ToDictionary(g => g.Key, g => g.Sum(p => p.Units));
        Assert.Equal(expectedByMonth, r["byMonth"]!.AsArray().ToDictionary(m => m!["month"]!.GetValue<string>(), m => m!["units"]!.GetValue<int>()));

        var flags = r["flags"]!.AsArray();
        var sameDay = Assert.Single(flags, f => f!["kind"]!.GetValue<string>() == "same-child-same-day")!;
        Assert.Equal(a1, sameDay["childId"]!.GetValue<string>());
        Assert.Equal(Day(-5), sameDay["date"]!.GetValue<string>());
        var cluster = Assert.Single(flags, f => f!["kind"]!.GetValue<string>() == "end-of-period-cluster")!;
        Assert.Equal(Math.Round(10m / 17m, 2), cluster["share"]!.GetValue<decimal>());
        var noNeed = flags.Where(f => f!["kind"]!.GetValue<string>() == "no-need-or-pairing").Select(f => f!["childId"]!.GetValue<string>()).Order().ToList();
        Assert.Equal(new[] { a2, b1 }.Order().ToList(), noNeed);
    }

    [Fact]
    public async Task ACorrectionReplacesADeliveryAndTheOriginalStaysMarked()
    {
        var county = await TestCounty.CreateAsync(app);
        var contract = await ContractAsync(county, units: 10);
        var child = await county.ChildAsync("director-a1", county.VillageA1);
        var shegong = await county.As("shegong");
        var original = (await ReportAsync(shegong, contract, Delivery(child, At(-2), 3), "orig")).AssertStatus(HttpStatusCode.Created).Id;

        (await shegong.PostAsync($"/api/deliveries/{original}/correct", new { childId = child, at = At(-2), units = 2, kind = "session", notes = "x" }))
            .AssertFieldErrors("reason");
        var correction = (await shegong.PostAsync($"/api/deliveries/{original}/correct",
            new { childId = child, at = At(-2), units = 2, kind = "session", notes = "实际 2 次", reason = "误报数量" })).AssertStatus(HttpStatusCode.OK).Id;
        (await shegong.PostAsync($"/api/deliveries/{original}/withdraw", new { reason = "again" })).AssertProblem(HttpStatusCode.Conflict);

        var deliveries = (await shegong.GetAsync($"/api/contracts/{contract}/deliveries")).Array;
        var old = Assert.Single(deliveries, d => d!["id"]!.GetValue<string>() == original)!;
        Assert.Equal("corrected", old["status"]!.GetValue<string>());
        Assert.Equal("误报数量", old["statusReason"]!.GetValue<string>());
        Assert.Equal(original, Assert.Single(deliveries, d => d!["id"]!.GetValue<string>() == correction)!["correctsId"]!.GetValue<string>());
        Assert.Equal(2, (await shegong.GetAsync($"/api/contracts/{contract}")).Get<int>("deliveredUnits"));
    }

    [Fact]
    public async Task ExportsAreUtf8CsvWithABomScopedToTheCaller()
    {
        var county = await TestCounty.CreateAsync(app);
        var contract = await ContractAsync(county);
        var a1 = await county.ChildAsync("director-a1", county.VillageA1);
        var b1 = await county.ChildAsync("director-b1", county.VillageB1);
        var shegong = await county.As("shegong");
        (await ReportAsync(shegong, contract, Delivery(a1, At(-2), notes: "=HYPERLINK(\"x\")"), "e1")).AssertStatus(HttpStatusCode.Created);
        (await ReportAsync(shegong, contract, Delivery(b1, At(-2)), "e2")).AssertStatus(HttpStatusCode.Created);

        using var civilCsv = await (await county.As("civil")).Http.GetAsync($"/api/contracts/{contract}/deliveries.csv");
        Assert.Equal("text/csv", civilCsv.Content.Headers.ContentType!.MediaType);
        var bytes = await civilCsv.Content.ReadAsByteArrayAsync();
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var text = Encoding.UTF8.GetString(bytes[3..]);
        Assert.StartsWith("deliveryId,childId,villageCode,at,units,kind,status", text);
        Assert.Contains(a1, text);
        Assert.Contains(b1, text);

        // A town's supervisor exports their town's rows only.
        var supervisorCsv = Encoding.UTF8.GetString(await (await county.As("supervisor-a")).Http.GetByteArrayAsync($"/api/contracts/{contract}/deliveries.csv"));
        Assert.Contains(a1, supervisorCsv);
        Assert.DoesNotContain(b1, supervisorCsv);

        var reconciliation = Encoding.UTF8.GetString(await (await county.As("civil")).Http.GetByteArrayAsync($"/api/contracts/{contract}/reconciliation.csv"));
        Assert.Contains("total,delivered,2,301.00", reconciliation);
        (await (await county.As("director-a1")).GetAsync($"/api/contracts/{contract}/deliveries.csv")).AssertProblem(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task ACounsellingDeliveryShowsInTheChildsCareRecord()
    {
        var county = await TestCounty.CreateAsync(app);
        var contract = await ContractAsync(county);
        var child = await county.ChildAsync("director-a1", county.VillageA1);
        (await ReportAsync(await county.As("shegong"), contract, Delivery(child, At(-1), notes: "情绪疏导，约定下周再谈"), "care")).AssertStatus(HttpStatusCode.Created);

        var record = (await (await county.As("director-a1")).GetAsync($"/api/children/{child}/care-record")).AssertStatus(HttpStatusCode.OK);
        var delivery = Assert.Single(record.Json!["deliveries"]!.AsArray())!;
        Assert.Equal("counselling", delivery["line"]!.GetValue<string>());
        Assert.Equal("阳光社工", delivery["organisationName"]!.GetValue<string>());
        Assert.Equal("情绪疏导，约定下周再谈", delivery["notes"]!.GetValue<string>());
        (await (await county.As("director-b1")).GetAsync($"/api/children/{child}/care-record")).AssertProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task FiftyParallelReportsNeverExceedTheTenUnitsLeft()
    {
        var county = await TestCounty.CreateAsync(app);
        var contract = await ContractAsync(county, units: 12);
        var child = await county.ChildAsync("director-a1", county.VillageA1);
        var shegong = await county.As("shegong");
        (await ReportAsync(shegong, contract, Delivery(child, At(-3), 2), "before")).AssertStatus(HttpStatusCode.Created);

        var statuses = await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
            (await ReportAsync(shegong, contract, Delivery(child, At(-2), 1, notes: $"并发 {i}"), $"race-{i}")).Status));

        Assert.Equal(10, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(40, statuses.Count(s => s == HttpStatusCode.UnprocessableEntity));
        var stored = (await shegong.GetAsync($"/api/contracts/{contract}/deliveries")).Array;
        Assert.Equal(12, stored.Sum(d => d!["units"]!.GetValue<int>()));
        Assert.Equal(12, (await shegong.GetAsync($"/api/contracts/{contract}")).Get<int>("deliveredUnits"));
    }
}
