using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Tongxin.Host.Persistence;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Tongxin.IntegrationTests.Security;

public sealed class AccessMatrixOnSqlite(AccessMatrixSqliteApp app, ITestOutputHelper output) : AccessMatrixTests(app, output), IClassFixture<AccessMatrixSqliteApp>;

public sealed class AccessMatrixOnPostgres(AccessMatrixPostgresApp app, ITestOutputHelper output) : AccessMatrixTests(app, output), IClassFixture<AccessMatrixPostgresApp>;

/// <summary>
/// The written matrix (<c>docs/access-matrix.md</c>) walked against the real host over HTTP: every route of the
/// OpenAPI document × every role, with no token, in the role's own region, and from another county.
/// </summary>
public abstract class AccessMatrixTests(AccessMatrixApp app, ITestOutputHelper output)
{
    private const string CsvHeader = "childId,at,units,kind,notes\n";

    /// <summary>A CSV upload that reads well but names no child: refused whole (422) for the contracted organisation, 403 for the rest.</summary>
    private static readonly string CsvOfAnUnknownChild = CsvHeader + $"no-such-child,{DateTime.UtcNow.AddDays(-1):O},1,session,走访\n";

    /// <summary>Lists that take a <c>regionCode=</c>: asked for another county's region, they answer 403.</summary>
    private static readonly HashSet<string> RegionFilteredLists =
    [
        "GET /api/children", "GET /api/needs", "GET /api/programmes", "GET /api/followups/overdue", "GET /api/followups/backlog",
        "GET /api/escalations", "GET /api/reports/gaps", "GET /api/reports/ledger", "GET /api/reports/annual", "GET /api/reports/staffing",
        "GET /api/reports/reminders",
    ];

    /// <summary>What only the file's staff may know of a child: no property of this name reaches the provider side.</summary>
    private static readonly string[] FileOnlyFields =
    [
        "familyName", "birthDate", "guardianSituation", "guardianConsent", "riskLevel", "priorityGroups", "category", "lastCallAt", "lastHomeVisitAt",
    ];

    private static readonly HashSet<HttpStatusCode> AllowedAnswers =
    [
        HttpStatusCode.BadRequest, HttpStatusCode.NotFound, HttpStatusCode.Conflict, HttpStatusCode.UnsupportedMediaType, HttpStatusCode.UnprocessableEntity,
    ];

    [Fact]
    public async Task EveryRouteOfTheOpenApiDocumentIsInTheMatrixAndEveryRowIsARoute()
    {
        var matrix = AccessMatrix.Load();
        var document = (await app.Anonymous().GetAsync("/openapi/v1.json")).AssertStatus(HttpStatusCode.OK);
        var routes = document.Json!["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject()
                .Where(operation => operation.Key is "get" or "post" or "put" or "delete" or "patch")
                .Select(operation => $"{operation.Key.ToUpperInvariant()} {path.Key}"))
            .ToHashSet();
        var rows = matrix.Select(r => r.Route).ToHashSet();

        var missing = routes.Except(rows).Order(StringComparer.Ordinal).ToList();
        var unknown = rows.Except(routes).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, "Routes of /openapi/v1.json missing from docs/access-matrix.md:\n" + string.Join("\n", missing));
        Assert.True(unknown.Count == 0, "Rows of docs/access-matrix.md that are not routes of /openapi/v1.json:\n" + string.Join("\n", unknown));
        output.WriteLine($"{rows.Count} routes, each in the matrix once.");
    }

    [Fact]
    public async Task WithoutATokenEveryRouteButTheAnonymousOnesAnswers401()
    {
        var matrix = AccessMatrix.Load();
        var world = await app.WorldAsync();
        var anonymous = app.Anonymous();
        var failures = new List<string>();
        foreach (var row in matrix)
        {
            var response = await anonymous.SendAsync(OwnRegionRequest(row, world.First));
            if (row.Anonymous)
            {
                Expect(failures, row, "anonymous", "no token", IsGranted(response.Status), "granted (not 401/403)", response);
            }
            else
            {
                Expect(failures, row, "anonymous", "no token", response.Status == HttpStatusCode.Unauthorized, "401", response);
            }
        }
        Report(failures, matrix.Count, "no-token");
    }

    /// <summary>
    /// Each role's user of the county the ids belong to, bodies <c>{}</c>: a refused role gets 403 before its
    /// input is validated; an allowed one is not refused (its empty input may be refused: 400). Mutating
    /// routes stay harmless that way, except those that act without a body: <c>POST /api/offers/{id}/accept</c>
    /// only ever accepts the county's spare pending offer (a throwaway: nothing else depends on it),
    /// <c>POST /api/matching/run</c> only makes offers, and the CSV upload names no real child (refused whole).
    /// </summary>
    [Fact]
    public async Task InTheirOwnRegionEachRoleIsRefusedExactlyWhereTheMatrixSaysNo()
    {
        var matrix = AccessMatrix.Load();
        var world = await app.WorldAsync();
        var failures = new List<string>();
        var checks = 0;
        foreach (var row in matrix)
        {
            foreach (var role in AccessMatrix.Roles)
            {
                var response = await world.First.Users[role].SendAsync(OwnRegionRequest(row, world.First));
                checks++;
                if (row.Cells[role] == Access.No)
                {
                    Expect(failures, row, role, "own region", response.Status == HttpStatusCode.Forbidden, "403", response);
                }
                else
                {
                    Expect(failures, row, role, "own region", IsGranted(response.Status), "granted: 2xx/400/404/409/415/422", response);
                }
            }
        }
        Report(failures, checks, "own-region");
    }

    /// <summary>
    /// The same role's user of a second county, with the first county's ids and regions and bodies that
    /// pass validation (so the handler's scope check is what answers): 404 for a resource outside the
    /// caller's region, 403 for a region outside it; lists hold none of the first county's items. A role
    /// the matrix refuses gets 403 as at home. The administrator is above the counties and not walked here.
    /// </summary>
    [Fact]
    public async Task FromAnotherCountyNoRoleReachesTheFirstCountysResources()
    {
        var matrix = AccessMatrix.Load();
        var world = await app.WorldAsync();
        var (target, caller) = (world.First, world.Second);
        var secrets = target.Secrets;
        var failures = new List<string>();
        var checks = 0;
        foreach (var row in matrix.Where(r => !r.Anonymous))
        {
            var scoped = CrossRegionRequest(row, target);
            var listed = IsList(row);
            foreach (var role in AccessMatrix.Roles.Where(r => r != "admin"))
            {
                var client = caller.Users[role];
                if (row.Cells[role] == Access.No)
                {
                    var refused = await client.SendAsync(scoped ?? ListRequest(row));
                    checks++;
                    Expect(failures, row, role, "other county", refused.Status == HttpStatusCode.Forbidden, "403", refused);
                    continue;
                }
                if (scoped is not null)
                {
                    var response = await client.SendAsync(scoped);
                    checks++;
                    Expect(failures, row, role, "other county", response.Status is HttpStatusCode.NotFound or HttpStatusCode.Forbidden, "404 or 403", response);
                }
                if (listed)
                {
                    var response = await client.SendAsync(ListRequest(row));
                    checks++;
                    var leaked = response.Status == HttpStatusCode.OK ? Strings(response).Where(secrets.Contains).Distinct().ToList() : [];
                    Expect(failures, row, role, "other county (list)", response.Status == HttpStatusCode.OK && leaked.Count == 0,
                        "200 without the first county's items", response, leaked.Count > 0 ? "holds " + string.Join(", ", leaked) : null);
                }
            }
        }
        Report(failures, checks, "other-county");
    }

    /// <summary>
    /// The provider side (volunteer, programme owner, social-work organisation) reads every route it may, in
    /// its own county, and never meets the family name, birth date, guardian situation or consent, risk level,
    /// contact notes or the contents of a concern — not even of the one the volunteer raised (its status only).
    /// </summary>
    [Fact]
    public async Task TheProviderSideNeverSeesTheFileOnlyFieldsContactNotesOrConcernsOfOthers()
    {
        var matrix = AccessMatrix.Load();
        var world = await app.WorldAsync();
        var county = world.First;
        var failures = new List<string>();
        var checks = 0;
        foreach (var role in new[] { "programme-owner", "social-work-org", "volunteer" })
        {
            foreach (var row in matrix.Where(r => r.Method == "GET" && !r.Anonymous && r.Cells[role] != Access.No))
            {
                var response = await county.Users[role].SendAsync(OwnRegionRequest(row, county));
                checks++;
                var strings = Strings(response).ToList();
                var seen = county.FileSecrets.Where(secret => strings.Any(s => s.Contains(secret, StringComparison.Ordinal)))
                    .Concat(FileOnlyFields.Where(field => response.Json is not null && PropertyNames(response.Json).Contains(field)))
                    .ToList();
                Expect(failures, row, role, "field allow-list", response.Status != HttpStatusCode.OK || seen.Count == 0,
                    "nothing of the file", response, seen.Count > 0 ? "shows " + string.Join(", ", seen) : null);
            }
        }

        // Concerns: the director's is not theirs (404, not listed); the volunteer follows their own by status only.
        foreach (var role in new[] { "programme-owner", "social-work-org", "volunteer" })
        {
            var client = county.Users[role];
            var others = await client.GetAsync($"/api/concerns/{county.ConcernId}");
            checks++;
            Expect(failures, Row("GET /api/concerns/{id}"), role, "concern of another", others.Status == HttpStatusCode.NotFound, "404", others);
            var list = await client.GetAsync("/api/concerns");
            checks++;
            Expect(failures, Row("GET /api/concerns"), role, "concern of another", list.Status == HttpStatusCode.OK && !Strings(list).Contains(county.ConcernId),
                "200 without the director's concern", list);
        }
        var own = await county.Users["volunteer"].GetAsync($"/api/concerns/{county.VolunteerConcernId}");
        checks++;
        Expect(failures, Row("GET /api/concerns/{id}"), "volunteer", "own concern", own.Status == HttpStatusCode.OK
            && own.Json!["stage"] is not null && own.Json["childId"] is null && own.Json["details"] is null && own.Json["steps"] is null,
            "200 with the status and not the contents", own);
        Report(failures, checks, "field allow-list");
    }

    // Host access bugs found while writing the matrix: each test states the behaviour the host should have.

    [Fact]
    public async Task CivilAffairsCannotMakeAUserActForAnotherCountysOrganisation()
    {
        var world = await app.WorldAsync();
        var (victim, intruder) = (world.First, world.Second);
        var userName = "borrowed-" + intruder.County.Code;
        var created = await intruder.Users["civil-affairs"].PostAsync("/api/users", new
        {
            userName, password = TestCounty.Password, role = "social-work-org", regionCode = intruder.County.Code, organisationId = victim.County.SocialWorkOrgId,
        });
        if (created.Status == HttpStatusCode.Created)
        {
            // What the account would reach: the other county's contracts, deliveries and pairings.
            var borrowed = await app.LoginAsync(userName, TestCounty.Password);
            var contracts = await borrowed.GetAsync("/api/contracts");
            var deliveries = await borrowed.GetAsync($"/api/contracts/{victim.ContractId}/deliveries");
            Assert.Fail($"Civil affairs of county {intruder.County.Code} gave a user the social-work organisation of county {victim.County.Code}: "
                + $"GET /api/contracts → {(int)contracts.Status} {contracts.Body}; GET …/deliveries → {(int)deliveries.Status} {deliveries.Body}");
        }
        Assert.True(created.Status is HttpStatusCode.BadRequest or HttpStatusCode.Forbidden, $"Expected 400 or 403, got {(int)created.Status}: {created.Body}");
    }

    [Fact]
    public async Task StaffCannotRegisterAVolunteerAccountOfAnotherCounty()
    {
        var world = await app.WorldAsync();
        var (victim, intruder) = (world.First, world.Second);
        var admin = world.First.Users["admin"];
        var userId = (await admin.PostAsync("/api/users", new
        {
            userName = "unregistered-" + victim.County.Code, password = TestCounty.Password, role = "volunteer", regionCode = victim.County.VillageA1,
        })).AssertStatus(HttpStatusCode.Created).Id;

        var linked = await intruder.Users["programme-owner"].PostAsync("/api/volunteers", new
        {
            userId, displayName = "借来的志愿者", gender = "female", regionCode = intruder.County.TownA, lines = new[] { "caring-mother" }, skills = CountyWorld.CaringMotherSkills,
        });
        Assert.True(linked.Status is HttpStatusCode.BadRequest or HttpStatusCode.Forbidden or HttpStatusCode.NotFound,
            $"A programme owner of county {intruder.County.Code} linked a volunteer account of county {victim.County.Code}: {(int)linked.Status} {linked.Body}");
    }

    [Fact]
    public async Task AnOffersReasonsTellTheProviderNeitherTheRiskLevelNorThePriorityGroup()
    {
        var world = await app.WorldAsync();
        var offers = (await world.First.Users["volunteer"].GetAsync("/api/offers?mine=true")).AssertStatus(HttpStatusCode.OK).Array;
        Assert.NotEmpty(offers);
        var codes = offers.SelectMany(o => o!["reasons"]!.AsArray()).Select(r => r!["code"]!.GetValue<string>()).Distinct().ToList();
        Assert.DoesNotContain(codes, code => code.StartsWith("priority.risk", StringComparison.Ordinal) || code == "priority.group");
    }

    [Fact]
    public async Task ARefusedRoleGets403ForACsvUploadBeforeTheFileIsRead()
    {
        var world = await app.WorldAsync();
        var volunteer = world.First.Users["volunteer"];
        foreach (var csv in new[] { CsvHeader, "not,a,header\n", "" })
        {
            var response = await volunteer.PostRawAsync($"/api/contracts/{world.First.ContractId}/deliveries:bulk", csv, "text/csv");
            Assert.True(response.Status == HttpStatusCode.Forbidden, $"A volunteer's CSV '{csv.Trim()}': expected 403, got {(int)response.Status}: {response.Body}");
        }
    }

    private static MatrixRow Row(string route) => AccessMatrix.Load().Single(r => r.Route == route);

    private static bool IsGranted(HttpStatusCode status) => (int)status is >= 200 and < 300 || AllowedAnswers.Contains(status);

    private static bool IsList(MatrixRow row) => row.Method == "GET" && !row.Path.Contains("{id}") && row.Route != "GET /api/audit";

    private static void Expect(List<string> failures, MatrixRow row, string role, string variant, bool ok, string expected, ApiResponse actual, string? why = null)
    {
        if (!ok)
        {
            var body = actual.Body.Length > 300 ? actual.Body[..300] + "…" : actual.Body;
            failures.Add($"{row.Route} | {role} | {variant} | expected {expected} | got {(int)actual.Status}{(why is null ? "" : " (" + why + ")")}: {body}");
        }
    }

    private void Report(List<string> failures, int checks, string variant)
    {
        output.WriteLine($"{checks} checks ({variant}), {failures.Count} failed.");
        Assert.True(failures.Count == 0, $"{failures.Count} of {checks} {variant} checks failed (route | role | variant | expected | actual):\n" + string.Join("\n", failures));
    }

    /// <summary>The path with the county's ids, and the query a route needs.</summary>
    private static string Url(MatrixRow row, CountyWorld county, string? regionCode = null)
    {
        var path = row.Path.Contains("{id}") ? row.Path.Replace("{id}", county.IdFor(row.Path)) : row.Path;
        path = path.Contains("{itemId}") ? path.Replace("{itemId}", county.ComparisonItemId) : path;
        var query = new List<string>();
        if (row.Route == "GET /api/comparisons/template")
        {
            query.Add("source=police");
        }
        if (row.Route == "GET /api/audit")
        {
            query.Add("childId=" + county.ChildId);
        }
        if (row.Route is "GET /api/offers" or "GET /api/pairings")
        {
            query.Add("mine=true");
        }
        if (regionCode is not null)
        {
            query.Add("regionCode=" + regionCode);
        }
        return query.Count == 0 ? path : path + "?" + string.Join("&", query);
    }

    private static Func<HttpRequestMessage> OwnRegionRequest(MatrixRow row, CountyWorld county) => () =>
        row.Route == "POST /api/contracts/{id}/deliveries:bulk"
            ? Message(row.Method, Url(row, county), csv: CsvOfAnUnknownChild)
            : Message(row.Method, Url(row, county), new { });

    private static Func<HttpRequestMessage> ListRequest(MatrixRow row) => () => Message(row.Method, Url(row, null!));

    /// <summary>
    /// A request that names the target county's resource or region, with a body that passes validation; null
    /// for a list that takes no region (those are checked by their contents).
    /// </summary>
    private static Func<HttpRequestMessage>? CrossRegionRequest(MatrixRow row, CountyWorld t)
    {
        var now = DateTime.UtcNow;
        var county = t.County;
        if (row.Path.StartsWith("/api/me", StringComparison.Ordinal) || row.Path.StartsWith("/api/notifications", StringComparison.Ordinal) || row.Route is "POST /api/users/import" or "POST /api/children/import" or "POST /api/comparisons")
        {
            // The caller's own account: there is no other county's to reach. A staff list or a roster naming another
            // county's village answers with that row in error (AccountImportTests, RosterImportTests), not with a
            // refusal of the whole request.
            return null;
        }
        if (IsList(row))
        {
            return RegionFilteredLists.Contains(row.Route) ? () => Message(row.Method, Url(row, t, county.Code)) : null;
        }
        object body = row.Route switch
        {
            "POST /api/regions" => new { code = county.Code + "09", name = "越界镇", kind = "town", parentCode = county.Code },
            "POST /api/organisations" => new { name = "越界机构", kind = "school", regionCode = county.Code },
            "POST /api/users" => new { userName = "intruder-" + Guid.NewGuid().ToString("N")[..8], password = TestCounty.Password, role = "child-director", regionCode = county.VillageA1 },
            "POST /api/children" => CountyWorld.ChildBody(county.VillageA1, "越界"),
            "PUT /api/children/{id}" => new Dictionary<string, object?>(CountyWorld.ChildBody(county.VillageA1, "越界")) { ["version"] = 1 },
            "POST /api/children/{id}/contacts" => new { kind = "call", at = now.AddHours(-1), notes = "越界" },
            "PUT /api/children/{id}/risk" => new { riskLevel = "low", reason = "越界" },
            "PUT /api/children/{id}/care-arrangement" => new
            {
                father = new { presence = "away", workPlace = "", phone = "" }, mother = new { presence = "away", workPlace = "", phone = "" },
            },
            "POST /api/children/{id}/care-arrangement/checks" => new { at = now.AddHours(-1), agreementInPlace = true, carerAbility = "can-care", notes = "越界" },
            "PUT /api/children/{id}/consent" => new { by = "越界", relation = "grandmother", recordedAt = now.AddHours(-1) },
            "POST /api/children/{id}/needs" => CountyWorld.NeedBody,
            "POST /api/children/{id}/move" => new { villageCode = county.VillageA2, reason = "越界" },
            "POST /api/volunteers" => new
            {
                displayName = "越界", gender = "female", regionCode = county.TownA, lines = new[] { "caring-mother" }, skills = CountyWorld.CaringMotherSkills, capacity = 1,
            },
            "PUT /api/volunteers/{id}/vetting" => new { status = "failed", checkedAt = now.AddDays(-1), expiresAt = now.AddYears(1), reference = "越界" },
            "POST /api/programmes" => CountyWorld.ProgrammeBody(county.TownA),
            "POST /api/matching/run" => new { regionCode = county.Code },
            "POST /api/escalations/run" => new { regionCode = county.Code },
            "POST /api/reports/reminders/run" => new { regionCode = county.Code },
            "POST /api/offers/{id}/accept" => new { },
            "PATCH /api/users/{id}" => new { role = "child-director" },
            "POST /api/pairings/{id}/sessions" => new { at = now.AddHours(-1), minutes = 30, notes = "越界" },
            "POST /api/contracts" => CountyWorld.ContractBody(county.SocialWorkOrgId, [county.TownA]),
            "POST /api/contracts/{id}/deliveries" => CountyWorld.DeliveryBody(t.ChildId),
            "POST /api/deliveries/{id}/correct" => new { childId = t.ChildId, at = now.AddDays(-1), units = 1, kind = "session", notes = "越界", reason = "越界" },
            "POST /api/concerns" => new { childId = t.ChildId, kind = "other", details = "越界" },
            "POST /api/concerns/{id}/steps" => new { stage = "reported-to-police", at = now, reference = "越界-110", notes = "越界" },
            "POST /api/comparisons/{id}/items/{itemId}/resolve" => new { resolution = "roster-wrong", note = "越界" },
            // Needs cancel, offer decline, pairing end, consent withdraw, delivery withdraw: a reason is all they take.
            _ when row.Method == "POST" => new { reason = "越界" },
            _ => new { },
        };
        return row.Route switch
        {
            "POST /api/contracts/{id}/deliveries:bulk" => () => Message("POST", Url(row, t), csv: CsvHeader + $"{t.ChildId},{now.AddDays(-1):O},1,session,越界\n"),
            "POST /api/contracts/{id}/deliveries" => () => Message("POST", Url(row, t), body, idempotencyKey: Guid.NewGuid().ToString()),
            _ => () => Message(row.Method, Url(row, t), body),
        };
    }

    private static HttpRequestMessage Message(string method, string url, object? body = null, string? csv = null, string? idempotencyKey = null)
    {
        var message = new HttpRequestMessage(new HttpMethod(method), url);
        if (csv is not null)
        {
            message.Content = new StringContent(csv, Encoding.UTF8, "text/csv");
        }
        else if (method is "POST" or "PUT" or "PATCH")
        {
            message.Content = JsonContent.Create(body ?? new { });
        }
        if (idempotencyKey is not null)
        {
            message.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        return message;
    }

    /// <summary>Every string of an answer: property names and values of JSON, the whole text otherwise (CSV).</summary>
    private static IEnumerable<string> Strings(ApiResponse response) => response.Json is null ? [response.Body] : ApiResponse.Texts(response.Json);

    private static HashSet<string> PropertyNames(JsonNode node)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        void Walk(JsonNode? n)
        {
            switch (n)
            {
                case JsonObject obj:
                    foreach (var (name, value) in obj)
                    {
                        names.Add(name);
                        Walk(value);
                    }
                    break;
                case JsonArray array:
                    foreach (var item in array)
                    {
                        Walk(item);
                    }
                    break;
            }
        }
        Walk(node);
        return names;
    }
}

/// <summary>Extension so a request factory reads like a request.</summary>
internal static class ApiRequests
{
    public static Task<ApiResponse> SendAsync(this Api api, Func<HttpRequestMessage> request) => api.SendAsync(request());
}

public enum Access
{
    No,
    Yes,
    Own,
}

/// <summary>One row of the matrix: a route, and for each role (and <c>anonymous</c>) whether it may call it.</summary>
public sealed record MatrixRow(string Method, string Path, IReadOnlyDictionary<string, Access> Cells)
{
    public string Route => $"{Method} {Path}";

    public bool Anonymous => Cells["anonymous"] != Access.No;
}

/// <summary>The machine-readable table of <c>docs/access-matrix.md</c>, between its start and end markers.</summary>
public static class AccessMatrix
{
    public const string Start = "<!-- access-matrix:start -->";
    public const string End = "<!-- access-matrix:end -->";

    public static readonly string[] Roles = ["admin", "civil-affairs", "supervisor", "child-director", "programme-owner", "social-work-org", "volunteer"];

    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH"];

    private static readonly Lazy<IReadOnlyList<MatrixRow>> Rows = new(() => Parse(File.ReadAllLines(System.IO.Path.Combine(RepositoryRoot(), "docs", "access-matrix.md"))));

    public static IReadOnlyList<MatrixRow> Load() => Rows.Value;

    public static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "Services.sln")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException($"No Services.sln above {AppContext.BaseDirectory}.");
    }

    public static IReadOnlyList<MatrixRow> Parse(IReadOnlyList<string> lines)
    {
        var start = lines.ToList().FindIndex(l => l.Trim() == Start);
        var end = lines.ToList().FindIndex(l => l.Trim() == End);
        if (start < 0 || end < start)
        {
            throw new InvalidDataException($"docs/access-matrix.md needs one table between {Start} and {End}.");
        }
        var table = lines.Skip(start + 1).Take(end - start - 1).Select((text, i) => (Text: text.Trim(), Line: start + 2 + i)).Where(l => l.Text.Length > 0).ToList();
        string[] expectedHeader = ["route", .. Roles, "anonymous"];
        var header = Cells(table[0].Text);
        if (!header.SequenceEqual(expectedHeader))
        {
            throw new InvalidDataException($"Line {table[0].Line}: the columns must be {string.Join(" | ", expectedHeader)}, not {string.Join(" | ", header)}.");
        }
        var rows = new List<MatrixRow>();
        foreach (var (text, line) in table.Skip(2))
        {
            var cells = Cells(text);
            if (cells.Length != expectedHeader.Length)
            {
                throw new InvalidDataException($"Line {line}: {cells.Length} cells, expected {expectedHeader.Length}: {text}");
            }
            var route = cells[0].Trim('`').Split(' ', 2, StringSplitOptions.TrimEntries);
            if (route.Length != 2 || !Methods.Contains(route[0]) || !route[1].StartsWith('/'))
            {
                throw new InvalidDataException($"Line {line}: the route must read like `GET /api/children/{{id}}`: {cells[0]}");
            }
            var access = new Dictionary<string, Access>();
            for (var i = 1; i < cells.Length; i++)
            {
                access[expectedHeader[i]] = cells[i] switch
                {
                    "yes" => Access.Yes,
                    "own" => Access.Own,
                    "–" or "-" => Access.No,
                    var other => throw new InvalidDataException($"Line {line}: cell '{other}' for {expectedHeader[i]} is not yes, own or –."),
                };
            }
            rows.Add(new MatrixRow(route[0], route[1], access));
        }
        var duplicates = rows.GroupBy(r => r.Route).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
        {
            throw new InvalidDataException("Routes listed twice: " + string.Join(", ", duplicates));
        }
        return rows;
    }

    private static string[] Cells(string row) => row.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();
}

/// <summary>The host for the matrix walk (matching on request only), with two counties set up once for all its tests.</summary>
public abstract class AccessMatrixApp : MatchingApp
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private AccessWorld? _world;

    public async Task<AccessWorld> WorldAsync()
    {
        await _gate.WaitAsync();
        try
        {
            return _world ??= await AccessWorld.BuildAsync(this);
        }
        finally
        {
            _gate.Release();
        }
    }
}

public sealed class AccessMatrixSqliteApp : AccessMatrixApp
{
    protected override DatabaseProvider Provider => DatabaseProvider.Sqlite;
}

public sealed class AccessMatrixPostgresApp : AccessMatrixApp
{
    protected override DatabaseProvider Provider => DatabaseProvider.PostgreSQL;
}

/// <summary>Two counties with one resource of every kind each; the second county's users are the outsiders of the first.</summary>
public sealed record AccessWorld(CountyWorld First, CountyWorld Second)
{
    public static async Task<AccessWorld> BuildAsync(TongxinApp app)
    {
        var admin = await app.AdminAsync();
        return new AccessWorld(await CountyWorld.BuildAsync(app, admin), await CountyWorld.BuildAsync(app, admin));
    }
}

/// <summary>
/// A <see cref="TestCounty"/> with its users signed in once (one client per role) and one of each resource:
/// two children in village A1 with a need each, a vetted volunteer with a pairing (need one, with a session)
/// and a pending offer (need two: the throwaway the walk may accept), a programme, a contract with a
/// delivery, a contact, and two concerns (the director's, and the volunteer's about their paired child).
/// </summary>
public sealed class CountyWorld
{
    public const string FamilyName = "欧阳";
    public const string GuardianSituation = "父亲在外务工，母亲离家，由年迈的祖父照料";
    public const string ConsentBy = "欧阳爷爷";
    public const string ContactNotes = "家访：祖父腿伤未愈，孩子自己做饭";
    public const string ConcernDetails = "孩子手臂有淤青，说是摔的";
    public const string VolunteerConcernDetails = "志愿者到访时孩子独自在家";

    public static readonly object CaringMotherSkills = new Dictionary<string, object> { ["caring-mother"] = new { supportKinds = new[] { "emotional-comfort", "daily-life" } } };

    public static readonly object NeedBody = new { line = "caring-mother", details = new { supportKinds = new[] { "emotional-comfort", "daily-life" } }, urgency = "normal" };

    public required TestCounty County { get; init; }

    /// <summary>One signed-in client per role: the county's civil affairs, supervisor of town A, director of village A1, federation, social-work organisation, volunteer; and the administrator.</summary>
    public required IReadOnlyDictionary<string, Api> Users { get; init; }

    public required string ChildId { get; init; }
    public required string OtherChildId { get; init; }
    public required string NeedId { get; init; }
    public required string OfferedNeedId { get; init; }
    public required string AcceptedOfferId { get; init; }
    public required string PendingOfferId { get; init; }
    public required string PairingId { get; init; }
    public required string SessionId { get; init; }
    public required string VolunteerId { get; init; }
    /// <summary>A spare child director of village A2: the walk may deactivate, reactivate and reset it, harming nothing else.</summary>
    public required string SpareUserId { get; init; }
    public required string ProgrammeId { get; init; }
    public required string ContractId { get; init; }
    public required string DeliveryId { get; init; }
    public required string ContactId { get; init; }
    public required string ConcernId { get; init; }
    public required string VolunteerConcernId { get; init; }
    public required string BirthDate { get; init; }
    /// <summary>The quarter's comparison with a police roster, and its item of a child without a file in village A1.</summary>
    public required string ComparisonId { get; init; }
    public required string ComparisonItemId { get; init; }

    /// <summary>Every id and region code of this county: none may show in another county's lists.</summary>
    public IReadOnlySet<string> Secrets => new HashSet<string>(StringComparer.Ordinal)
    {
        ChildId, OtherChildId, NeedId, OfferedNeedId, AcceptedOfferId, PendingOfferId, PairingId, SessionId, VolunteerId, ProgrammeId, ContractId,
        DeliveryId, ContactId, ConcernId, VolunteerConcernId, ComparisonId, ComparisonItemId, County.FederationId, County.SocialWorkOrgId,
        County.Code, County.TownA, County.TownB, County.VillageA1, County.VillageA2, County.VillageB1,
    };

    /// <summary>What only the file's staff may know: none of it may reach the provider side.</summary>
    public IReadOnlyList<string> FileSecrets => [FamilyName, GuardianSituation, ConsentBy, ContactNotes, ConcernDetails, VolunteerConcernDetails, BirthDate];

    /// <summary>The id a route's <c>{id}</c> stands for: by the collection it follows.</summary>
    public string IdFor(string path) => path.Split('/')[2] switch
    {
        "children" => ChildId,
        "needs" => NeedId,
        // The spare pending offer: accepting it (the volunteer's own) harms nothing else.
        "offers" => PendingOfferId,
        "pairings" => PairingId,
        "volunteers" => VolunteerId,
        "contracts" => ContractId,
        "deliveries" => DeliveryId,
        "concerns" => ConcernId,
        "users" => SpareUserId,
        // Each caller reads and marks only its own notifications (Notifications/InboxTests); here the access decision alone.
        "notifications" => "not-a-notification-of-anyone",
        "comparisons" => ComparisonId,
        var collection => throw new InvalidOperationException($"No id of '{collection}' for {path}: add one to CountyWorld."),
    };

    public static Dictionary<string, object?> ChildBody(string village, string familyName = FamilyName)
    {
        var body = SampleCounty.ChildBody(village);
        body["familyName"] = familyName;
        body["guardianSituation"] = GuardianSituation;
        body["guardianConsent"] = new { by = ConsentBy, relation = "grandfather", recordedAt = DateTime.UtcNow.AddDays(-1) };
        return body;
    }

    private static string ChinaDay(int offset) => DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8)).AddDays(offset).ToString("yyyy-MM-dd");

    public static object ProgrammeBody(string regionCode) => new
    {
        line = "holiday-activities",
        title = "七彩假期·防溺水夏令营",
        regionCodes = new[] { regionCode },
        seats = 3,
        startsOn = ChinaDay(10),
        endsOn = ChinaDay(20),
        ageMin = 6,
        ageMax = 14,
        fundingSource = "团县委专项",
        details = new { activities = new[] { "safety-education", "sport" }, period = "summer" },
    };

    public static object ContractBody(string organisationId, string[] regionCodes) => new
    {
        organisationId,
        line = "counselling",
        title = "留守儿童心理疏导服务",
        regionCodes,
        units = 100,
        unitKind = "session",
        unitPrice = 150.50m,
        startsOn = ChinaDay(-60),
        endsOn = ChinaDay(30),
        fundingSource = "welfare-lottery",
    };

    public static object DeliveryBody(string childId) => new { childId, at = DateTime.UtcNow.AddDays(-1), units = 1, kind = "session", notes = "个案辅导" };

    public static async Task<CountyWorld> BuildAsync(TongxinApp app, Api admin)
    {
        var county = await TestCounty.CreateAsync(app);
        var civil = await county.As("civil");
        var supervisor = await county.As(county.SupervisorA);
        var director = await county.As("director-a1");
        var federation = await county.As("fulian");
        var socialWork = await county.As("shegong");
        var (volunteerId, volunteer) = await county.VolunteerAsync("vol", "female", county.VillageA1, ["caring-mother"], CaringMotherSkills, capacity: 3);

        var spare = (await admin.PostAsync("/api/users", new { userName = county.User("spare"), password = TestCounty.Password, role = "child-director", regionCode = county.VillageA2 }))
            .AssertStatus(HttpStatusCode.Created).Id;

        var childBody = ChildBody(county.VillageA1);
        var child = (await director.PostAsync("/api/children", childBody)).AssertStatus(HttpStatusCode.Created).Id;
        var otherChild = (await director.PostAsync("/api/children", ChildBody(county.VillageA1))).AssertStatus(HttpStatusCode.Created).Id;
        var need = (await director.PostAsync($"/api/children/{child}/needs", NeedBody)).AssertStatus(HttpStatusCode.Created).Id;
        var offeredNeed = (await director.PostAsync($"/api/children/{otherChild}/needs", NeedBody)).AssertStatus(HttpStatusCode.Created).Id;
        (await civil.PostAsync("/api/matching/run", new { line = "caring-mother", regionCode = county.Code })).AssertStatus(HttpStatusCode.OK);
        var offers = (await volunteer.GetAsync("/api/offers?mine=true")).AssertStatus(HttpStatusCode.OK).Array;
        string OfferFor(string needId) => offers.Single(o => o!["needId"]!.GetValue<string>() == needId)!["id"]!.GetValue<string>();
        var accepted = OfferFor(need);
        var pending = OfferFor(offeredNeed);
        var pairing = (await volunteer.PostAsync($"/api/offers/{accepted}/accept", new { })).AssertStatus(HttpStatusCode.OK).Get<string>("pairingId");
        var session = (await volunteer.PostAsync($"/api/pairings/{pairing}/sessions", new { at = DateTime.UtcNow.AddHours(-2), minutes = 45, notes = "一起做作业" }))
            .AssertStatus(HttpStatusCode.Created).Id;

        var programme = (await federation.PostAsync("/api/programmes", ProgrammeBody(county.TownA))).AssertStatus(HttpStatusCode.Created).Id;
        var contract = (await civil.PostAsync("/api/contracts", ContractBody(county.SocialWorkOrgId, [county.TownA, county.TownB]))).AssertStatus(HttpStatusCode.Created).Id;
        var report = new HttpRequestMessage(HttpMethod.Post, $"/api/contracts/{contract}/deliveries") { Content = JsonContent.Create(DeliveryBody(child)) };
        report.Headers.Add("Idempotency-Key", "delivery-" + county.Code);
        var delivery = (await socialWork.SendAsync(report)).AssertStatus(HttpStatusCode.Created).Id;

        var contact = (await director.PostAsync($"/api/children/{child}/contacts", new { kind = "home-visit", at = DateTime.UtcNow.AddHours(-1), notes = ContactNotes }))
            .AssertStatus(HttpStatusCode.Created).Id;
        var concern = (await director.PostAsync("/api/concerns", new { childId = child, kind = "suspected-injury", details = ConcernDetails }))
            .AssertStatus(HttpStatusCode.Created).Id;
        var volunteerConcern = (await volunteer.PostAsync("/api/concerns", new { childId = child, kind = "alone-without-guardian", details = VolunteerConcernDetails }))
            .AssertStatus(HttpStatusCode.Created).Id;
        var police = System.Text.Encoding.UTF8.GetBytes($"姓名,出生日期,户籍村\n钱多多,2014-01-01,{county.VillageA1}\n");
        var comparison = (await civil.PostBytesAsync("/api/comparisons?source=police", police, "text/csv")).AssertStatus(HttpStatusCode.Created).Id;
        var comparisonItem = (await civil.GetAsync($"/api/comparisons/{comparison}?kind=missing-file")).AssertStatus(HttpStatusCode.OK)
            .Json!["items"]![0]!["id"]!.GetValue<string>();

        return new CountyWorld
        {
            County = county,
            Users = new Dictionary<string, Api>
            {
                ["admin"] = admin,
                ["civil-affairs"] = civil,
                ["supervisor"] = supervisor,
                ["child-director"] = director,
                ["programme-owner"] = federation,
                ["social-work-org"] = socialWork,
                ["volunteer"] = volunteer,
            },
            ChildId = child,
            OtherChildId = otherChild,
            NeedId = need,
            OfferedNeedId = offeredNeed,
            AcceptedOfferId = accepted,
            PendingOfferId = pending,
            PairingId = pairing,
            SessionId = session,
            VolunteerId = volunteerId,
            SpareUserId = spare,
            ProgrammeId = programme,
            ContractId = contract,
            DeliveryId = delivery,
            ContactId = contact,
            ConcernId = concern,
            VolunteerConcernId = volunteerConcern,
            BirthDate = (string)childBody["birthDate"]!,
            ComparisonId = comparison,
            ComparisonItemId = comparisonItem,
        };
    }
}
