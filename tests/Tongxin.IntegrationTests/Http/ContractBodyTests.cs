using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Http;

public sealed class ContractBodyTestsOnSqlite(SqliteMatchingApp app) : ContractBodyTests(app), IClassFixture<SqliteMatchingApp>;

public sealed class ContractBodyTestsOnPostgres(PostgresMatchingApp app) : ContractBodyTests(app), IClassFixture<PostgresMatchingApp>;

/// <summary>
/// Every request body of ../shared/API.md, sent exactly in the shape written there (only the fields it lists), is
/// accepted, and the answers have the shape it promises. A field added to a request since then must be optional:
/// a client written against API.md does not send it. The bodies are JSON text on purpose, as a client writes them.
/// </summary>
public abstract class ContractBodyTests(MatchingApp app)
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8));

    private static string Day(int offset) => Today.AddDays(offset).ToString("yyyy-MM-dd");

    /// <summary>Noon, China time, <paramref name="dayOffset"/> days from today, as ISO 8601 UTC.</summary>
    private static string At(int dayOffset) =>
        Today.AddDays(dayOffset).ToDateTime(new TimeOnly(4, 0), DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ssZ");

    private static Task<ApiResponse> SendAsync(Api api, HttpMethod method, string path, string json, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        return api.SendAsync(request);
    }

    private static Task<ApiResponse> PostAsync(Api api, string path, string json, string? idempotencyKey = null) =>
        SendAsync(api, HttpMethod.Post, path, json, idempotencyKey);

    /// <summary>The object has at least these members (API.md promises them; more are allowed).</summary>
    private static JsonObject AssertMembers(JsonNode? node, params string[] names)
    {
        var obj = Assert.IsType<JsonObject>(node);
        foreach (var name in names)
        {
            Assert.True(obj.ContainsKey(name), $"'{name}' is missing from {obj.ToJsonString()}");
        }
        return obj;
    }

    [Fact]
    public async Task SetUpBodiesRegionsOrganisationsUsersAndLoginAreAcceptedAsWritten()
    {
        var anonymous = app.Anonymous();
        var login = (await anonymous.PostRawAsync("/api/auth/login",
            $$"""{ "userName": "{{TongxinApp.AdminUserName}}", "password": "{{TongxinApp.AdminPassword}}" }""")).AssertStatus(HttpStatusCode.OK);
        AssertMembers(login.Json, "accessToken", "tokenType", "expiresIn");
        Assert.Equal("Bearer", login.Get<string>("tokenType"));
        Assert.True(login.Get<long>("expiresIn") > 0);

        var admin = await app.AdminAsync();
        var county = "8" + Random.Shared.Next(10000, 99999);
        var town = county + "01";
        var village = town + "001";
        (await admin.PostRawAsync("/api/regions", $$"""{ "code": "{{county}}", "name": "和平县", "kind": "county", "parentCode": null }"""))
            .AssertStatus(HttpStatusCode.Created);
        (await admin.PostRawAsync("/api/regions", $$"""{ "code": "{{town}}", "name": "东风镇", "kind": "town", "parentCode": "{{county}}" }"""))
            .AssertStatus(HttpStatusCode.Created);
        (await admin.PostRawAsync("/api/regions", $$"""{ "code": "{{village}}", "name": "向阳村", "kind": "village", "parentCode": "{{town}}" }"""))
            .AssertStatus(HttpStatusCode.Created);

        var organisations = new Dictionary<string, string>();
        foreach (var (kind, name) in new[]
                 {
                     ("civil-affairs", "和平县民政局"), ("womens-federation", "和平县妇联"), ("youth-league", "共青团和平县委"),
                     ("social-work-org", "和平县阳光社工服务中心"), ("school", "向阳村小学"),
                 })
        {
            var created = (await admin.PostRawAsync("/api/organisations", $$"""{ "name": "{{name}}", "kind": "{{kind}}", "regionCode": "{{county}}" }"""))
                .AssertStatus(HttpStatusCode.Created);
            AssertMembers(created.Json, "id");
            organisations[kind] = created.Id;
        }

        // organisationId is optional in API.md: one user without it, one with it.
        var director = (await admin.PostRawAsync("/api/users",
                $$"""{ "userName": "director-{{county}}", "password": "Xiangyang#2026", "role": "child-director", "regionCode": "{{village}}" }"""))
            .AssertStatus(HttpStatusCode.Created);
        AssertMembers(director.Json, "id");
        var shegong = (await admin.PostRawAsync("/api/users",
                $$"""{ "userName": "shegong-{{county}}", "password": "Yangguang#2026", "role": "social-work-org", "regionCode": "{{county}}", "organisationId": "{{organisations["social-work-org"]}}" }"""))
            .AssertStatus(HttpStatusCode.Created);
        AssertMembers(shegong.Json, "id");
        await app.LoginAsync($"director-{county}", "Xiangyang#2026");

        var modules = (await anonymous.GetAsync("/api/modules")).AssertStatus(HttpStatusCode.OK).Array;
        Assert.Equal(new[] { "caring-mother", "counselling", "holiday-activities", "tutoring" },
            modules.Select(m => AssertMembers(m, "key", "name", "nameZh", "version")["key"]!.GetValue<string>()).Where(k => k != "legal-aid").Order());
        (await anonymous.GetAsync("/health")).AssertStatus(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ChildrenContactsAndConcernsAreAcceptedAsWritten()
    {
        var county = await TestCounty.CreateAsync(app);
        var director = await county.As("director-a1");

        // guardianConsent is optional in API.md: one child with it, one without.
        var withConsent = (await director.PostRawAsync("/api/children", $$"""
            {
              "givenName": "小雨", "familyName": "李", "gender": "female", "birthDate": "{{Today.AddYears(-9).AddDays(-40):yyyy-MM-dd}}",
              "villageCode": "{{county.VillageA1}}", "category": "left-behind", "guardianSituation": "父母在广东务工，由外婆照料",
              "riskLevel": "medium",
              "guardianConsent": { "by": "王外婆", "relation": "grandmother", "recordedAt": "{{At(-2)}}" }
            }
            """)).AssertStatus(HttpStatusCode.Created);
        AssertMembers(withConsent.Json, "id", "version");
        Assert.Equal(1, withConsent.Get<int>("version"));
        var withoutConsent = (await director.PostRawAsync("/api/children", $$"""
            {
              "givenName": "小军", "familyName": "陈", "gender": "male", "birthDate": "{{Today.AddYears(-15).AddDays(-3):yyyy-MM-dd}}",
              "villageCode": "{{county.VillageA1}}", "category": "in-difficulty", "guardianSituation": "父亲残疾，母亲离家",
              "riskLevel": "high"
            }
            """)).AssertStatus(HttpStatusCode.Created);
        AssertMembers(withoutConsent.Json, "id", "version");

        foreach (var (kind, day, notes) in new[] { ("call", -3, "电话问候，学习正常"), ("home-visit", -1, "入户走访，外婆身体尚可") })
        {
            (await director.PostRawAsync($"/api/children/{withConsent.Id}/contacts", $$"""{ "kind": "{{kind}}", "at": "{{At(day)}}", "notes": "{{notes}}" }"""))
                .AssertStatus(HttpStatusCode.Created);
        }

        var kinds = new[] { "alone-without-guardian", "missing", "guardian-unable", "suspected-violence", "suspected-injury", "other" };
        foreach (var kind in kinds)
        {
            (await director.PostRawAsync("/api/concerns", $$"""{ "childId": "{{withoutConsent.Id}}", "kind": "{{kind}}", "details": "周末发现孩子独自在家，情况需核实" }"""))
                .AssertStatus(HttpStatusCode.Created);
        }
        Assert.Equal(kinds.Length, (await (await county.As("supervisor-a")).GetAsync("/api/concerns")).AssertStatus(HttpStatusCode.OK).Array.Count);
    }

    [Fact]
    public async Task NeedsProvidersMatchingOffersAndPairingsAreAcceptedAsWritten()
    {
        var county = await TestCounty.CreateAsync(app);
        var director = await county.As("director-a1");
        var children = new[] { await county.ChildAsync("director-a1", county.VillageA1), await county.ChildAsync("director-a1", county.VillageA1, age: 12) };
        var needs = new List<string>();
        foreach (var (child, urgency) in children.Zip(["normal", "urgent"]))
        {
            var need = (await director.PostRawAsync($"/api/children/{child}/needs", $$"""
                { "line": "tutoring", "details": { "subject": "maths", "grade": 4, "schedule": ["weekday-afternoon"], "mode": "in-person" }, "urgency": "{{urgency}}" }
                """)).AssertStatus(HttpStatusCode.Created);
            AssertMembers(need.Json, "id", "status");
            Assert.Equal("open", need.Get<string>("status"));
            needs.Add(need.Id);
        }

        // A volunteer registers themself (no userId), and civil affairs vets them.
        await county.UserAsync("teacher", "volunteer", county.TownA);
        var volunteer = await county.As("teacher");
        var registered = (await volunteer.PostRawAsync("/api/volunteers", $$"""
            {
              "displayName": "刘老师", "gender": "female", "regionCode": "{{county.TownA}}", "lines": ["tutoring"],
              "skills": { "tutoring": { "subjects": ["maths", "chinese"], "gradeMin": 1, "gradeMax": 6, "modes": ["in-person"] } },
              "capacity": 2, "availability": ["weekday-afternoon", "weekend-morning"]
            }
            """)).AssertStatus(HttpStatusCode.Created);
        AssertMembers(registered.Json, "id");
        (await SendAsync(await county.As("civil"), HttpMethod.Put, $"/api/volunteers/{registered.Id}/vetting",
            $$"""{ "status": "passed", "checkedAt": "{{At(-7)}}", "expiresAt": "{{At(358)}}", "reference": "公安无犯罪记录证明 2026-0815" }"""))
            .AssertStatus(HttpStatusCode.OK);

        // A programme in API.md's shape: no line-specific details.
        foreach (var line in new[] { "holiday-activities", "tutoring" })
        {
            var programme = (await (await county.As("fulian")).PostRawAsync("/api/programmes", $$"""
                {
                  "line": "{{line}}", "title": "春蕾伴成长", "regionCodes": ["{{county.TownA}}"], "seats": 30,
                  "startsOn": "{{Day(10)}}", "endsOn": "{{Day(40)}}", "ageMin": 6, "ageMax": 14, "fundingSource": "妇联春蕾计划"
                }
                """)).AssertStatus(HttpStatusCode.Created);
            AssertMembers(programme.Json, "id");
        }

        var civil = await county.As("civil");
        (await PostAsync(civil, "/api/matching/run", $$"""{ "line": "tutoring", "regionCode": "{{county.Code}}" }""")).AssertStatus(HttpStatusCode.OK);
        (await PostAsync(civil, "/api/matching/run", "{ }")).AssertStatus(HttpStatusCode.OK);

        var offers = (await volunteer.GetAsync("/api/offers?mine=true")).AssertStatus(HttpStatusCode.OK).Array;
        Assert.Equal(2, offers.Count);
        foreach (var offer in offers)
        {
            AssertMembers(offer, "id", "needId", "line", "score", "reasons", "expiresAt", "child");
            AssertMembers(offer!["child"], "givenName", "age", "gender");
            Assert.Equal("tutoring", offer["line"]!.GetValue<string>());
        }
        var declined = offers.Single(o => o!["needId"]!.GetValue<string>() == needs[0])!;
        var accepted = offers.Single(o => o!["needId"]!.GetValue<string>() == needs[1])!;

        (await PostAsync(volunteer, $"/api/offers/{declined["id"]}/decline", """{ "reason": "时间冲突，周二下午要上课" }""")).AssertStatus(HttpStatusCode.OK);
        var pairingId = (await PostAsync(volunteer, $"/api/offers/{accepted["id"]}/accept", "{}")).AssertStatus(HttpStatusCode.OK).Get<string>("pairingId");

        var matched = (await director.GetAsync($"/api/needs/{needs[1]}")).AssertStatus(HttpStatusCode.OK);
        AssertMembers(matched.Json, "id", "childId", "line", "status", "offers", "pairingId");
        Assert.Equal(("matched", pairingId, children[1]), (matched.Get<string>("status"), matched.Get<string>("pairingId"), matched.Get<string>("childId")));
        Assert.IsType<JsonArray>(matched.Json!["offers"]);
        var open = (await director.GetAsync($"/api/needs/{needs[0]}")).AssertStatus(HttpStatusCode.OK);
        AssertMembers(open.Json, "id", "childId", "line", "status", "offers");
        Assert.Contains(open.Get<string>("status"), new[] { "open", "offered" });

        (await (await county.As("civil")).GetAsync($"/api/pairings/{pairingId}")).AssertStatus(HttpStatusCode.OK);
        (await PostAsync(volunteer, $"/api/pairings/{pairingId}/sessions", $$"""{ "at": "{{DateTime.UtcNow.AddHours(-2):yyyy-MM-ddTHH:mm:ssZ}}", "minutes": 90, "notes": "讲解分数加减法，完成练习册第三单元" }"""))
            .AssertStatus(HttpStatusCode.Created);
        (await PostAsync(volunteer, $"/api/pairings/{pairingId}/end", """{ "reason": "学期结束，孩子成绩已跟上" }""")).AssertStatus(HttpStatusCode.OK);
    }

    [Fact]
    public async Task PurchasedServiceBodiesAreAcceptedAsWrittenAndReconcile()
    {
        var county = await TestCounty.CreateAsync(app);
        var children = new[] { await county.ChildAsync("director-a1", county.VillageA1), await county.ChildAsync("director-b1", county.VillageB1) };
        var civil = await county.As("civil");

        // API.md's contract has no fundingSource (added later): it must be accepted, and say "not stated".
        var contract = (await PostAsync(civil, "/api/contracts", $$"""
            {
              "organisationId": "{{county.SocialWorkOrgId}}", "line": "counselling", "regionCodes": ["{{county.TownA}}", "{{county.TownB}}"],
              "units": 120, "unitKind": "session", "unitPrice": 150.5, "startsOn": "{{Day(-30)}}", "endsOn": "{{Day(60)}}"
            }
            """)).AssertStatus(HttpStatusCode.Created);
        AssertMembers(contract.Json, "id");
        Assert.Equal("not-stated", contract.Get<string>("fundingSource"));

        var shegong = await county.As("shegong");
        (await PostAsync(shegong, $"/api/contracts/{contract.Id}/deliveries",
                $$"""{ "childId": "{{children[0]}}", "at": "{{At(-2)}}", "units": 1, "kind": "session", "notes": "个案辅导：情绪疏导" }""", "2026-visit-0001"))
            .AssertStatus(HttpStatusCode.Created);
        var csv = $"childId,at,units,kind,notes\n{children[0]},{At(-1)},2,session,小组活动\n{children[1]},{At(-1)},1,session,个案辅导\n";
        (await shegong.PostRawAsync($"/api/contracts/{contract.Id}/deliveries:bulk", csv, "text/csv")).AssertStatus(HttpStatusCode.Created);

        var reconciliation = (await civil.GetAsync($"/api/contracts/{contract.Id}/reconciliation")).AssertStatus(HttpStatusCode.OK);
        AssertMembers(reconciliation.Json, "contracted", "delivered", "remaining", "spent", "byTown", "flags");
        Assert.Equal((120, 4, 116), (reconciliation.Get<int>("contracted"), reconciliation.Get<int>("delivered"), reconciliation.Get<int>("remaining")));
        Assert.Equal(602m, reconciliation.Get<decimal>("spent"));
        Assert.Equal(2, reconciliation.Json!["byTown"]!.AsArray().Count);
        Assert.IsType<JsonArray>(reconciliation.Json["flags"]);
        var export = await civil.Http.GetAsync($"/api/contracts/{contract.Id}/deliveries.csv");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
    }
}
