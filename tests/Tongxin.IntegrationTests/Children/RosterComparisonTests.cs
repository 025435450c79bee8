using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MiniExcelLibs;
using Tongxin.Host.Persistence;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Children;

public sealed class RosterComparisonTestsOnSqlite(SqliteApp app) : RosterComparisonTests(app), IClassFixture<SqliteApp>;

public sealed class RosterComparisonTestsOnPostgres(PostgresApp app) : RosterComparisonTests(app), IClassFixture<PostgresApp>;

/// <summary>
/// The quarterly comparison of the files with education's and the police's rosters (issue 19, point 3; 003 §10):
/// civil affairs uploads a roster, the product lists per village the children without a file, the files without a
/// roster row and the fields that differ; the village's director or the town's supervisor resolves each item; the
/// ledger shows the comparison done. A national ID number is matched by its keyed hash and never kept or shown.
/// </summary>
public abstract class RosterComparisonTests(TongxinApp app) : IAsyncLifetime
{
    private const string Comparisons = "/api/comparisons";
    private const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    private const string EducationHeaders = "学校,年级,姓名,出生日期,村/社区,身份证号";

    private static readonly DateOnly ChenBirth = new(2015, 9, 1);
    // Numbers are unique across the database, which the class's tests share: each test draws its own.
    private readonly string ChenId = NationalId(ChenBirth, 124); // even: a girl
    private readonly string ZhouId = NationalId(new DateOnly(2013, 1, 1), 246);

    private TestCounty County { get; set; } = null!;

    /// <summary>The files of the county by name, opened by its roster import.</summary>
    private Dictionary<string, string> Files { get; set; } = null!;

    public async Task InitializeAsync()
    {
        County = await TestCounty.CreateAsync(app);
        Files = await OpenFilesAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static byte[] Utf8(string csv) => Encoding.UTF8.GetBytes(csv);

    private static string Quarter
    {
        get
        {
            var china = DateTime.UtcNow.AddHours(8);
            return $"{china.Year}Q{(china.Month - 1) / 3 + 1}";
        }
    }

    /// <summary>A national ID number with a valid GB 11643 check digit, of a random place; an odd sequence number is a boy.</summary>
    private static string NationalId(DateOnly birthDate, int sequence)
    {
        var body = $"{Random.Shared.Next(110000, 999999)}{birthDate:yyyyMMdd}{sequence:000}";
        int[] weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        var sum = body.Select((c, i) => (c - '0') * weights[i]).Sum();
        return body + "10X98765432"[sum % 11];
    }

    /// <summary>
    /// 李小花 (甲一村), 王小明 (甲一村), 陈小雨 (甲二村, with an ID number; her director later corrects her birth date to
    /// 2015-09-11), 赵小军 (乙一村, 14) and 孙小宝 (甲一村, 4: not of school age).
    /// </summary>
    private async Task<Dictionary<string, string>> OpenFilesAsync()
    {
        var civil = await County.As("civil");
        var roster = "姓名,性别,出生日期,村/社区,类别,监护情况,风险等级,身份证号\n"
            + "李小花,女,2015-03-08,甲一村,留守儿童,祖母照料,低,\n"
            + "王小明,男,2014-07-01,甲一村,留守儿童,祖父照料,低,\n"
            + $"陈小雨,女,{ChenBirth:yyyy-MM-dd},甲二村,留守儿童,祖母照料,低,{ChenId}\n"
            + "赵小军,男,2012-05-05,乙一村,困境儿童,父亲服刑,中,\n"
            + $"孙小宝,男,{DateTime.UtcNow.AddYears(-4):yyyy-MM-dd},甲一村,留守儿童,外婆照料,低,\n";
        var rows = (await civil.PostBytesAsync("/api/children/import?dryRun=false", Utf8(roster), "text/csv")).AssertStatus(HttpStatusCode.OK).Json!["rows"]!.AsArray();
        var files = rows.ToDictionary(r => r!["name"]!.GetValue<string>(), r => r!["childId"]!.GetValue<string>());

        var director = await County.As("director-a2");
        var chen = files["陈小雨"];
        var version = (await director.GetAsync($"/api/children/{chen}")).AssertStatus(HttpStatusCode.OK).Get<int>("version");
        var update = SampleCounty.ChildBody(County.VillageA2, consent: false);
        update["familyName"] = "陈"; update["givenName"] = "小雨"; update["birthDate"] = "2015-09-11"; update["riskLevel"] = "low";
        update["guardianSituation"] = "祖母照料"; update["version"] = version;
        (await director.PutAsync($"/api/children/{chen}", update)).AssertStatus(HttpStatusCode.OK);
        return files;
    }

    /// <summary>
    /// 李小花 as on file; 王小明 in another village; 陈小雨 under a new name (by her ID number, with her birth date as the
    /// number says); 周小四 without a file. Missing: 赵小军 (14); 孙小宝 is 4, not expected at school.
    /// </summary>
    private string EducationRoster() => EducationHeaders + "\n"
        + "平安小学,三年级,李小花,2015-03-08,甲一村,\n"
        + "平安小学,五年级,王小明,2014/7/1,甲二村,\n"
        + $"平安小学,四年级,陈雨萱,{ChenBirth:yyyy-MM-dd},甲二村,{ChenId}\n"
        + $"平安中学,初一,周小四,2013-01-01,甲二村,{ZhouId.ToLowerInvariant()}\n";

    private async Task<JsonNode> UploadEducationAsync()
    {
        var civil = await County.As("civil");
        return (await civil.PostBytesAsync($"{Comparisons}?source=education&quarter={Quarter}", Utf8(EducationRoster()), "text/csv"))
            .AssertStatus(HttpStatusCode.Created).Json!;
    }

    private static JsonArray Items(ApiResponse detail) => detail.Json!["items"]!.AsArray();

    private static JsonNode ItemOf(ApiResponse detail, string kind, string name) =>
        Items(detail).Single(i => i!["kind"]!.GetValue<string>() == kind
            && (i["roster"]?["name"]?.GetValue<string>() == name || i["file"]?["name"]?.GetValue<string>() == name))!;

    [Fact]
    public async Task AnEducationRosterListsMissingFilesFilesWithoutARowAndDifferencesPerVillage()
    {
        var upload = await UploadEducationAsync();
        var id = upload["id"]!.GetValue<string>();
        Assert.Equal("education", upload["source"]!.GetValue<string>());
        Assert.Equal(Quarter, upload["quarter"]!.GetValue<string>());
        Assert.Equal(4, upload["rows"]!.GetValue<int>());
        Assert.Equal(4, upload["filesCompared"]!.GetValue<int>()); // 孙小宝, aged 4, is not expected in a school's roster
        Assert.False(upload["done"]!.GetValue<bool>());
        var counts = upload["counts"]!;
        Assert.Equal([4, 4, 1, 1, 2], new[] { "total", "open", "missingFile", "noRosterRow", "differs" }.Select(k => counts[k]!.GetValue<int>()));

        var civil = await County.As("civil");
        var detail = (await civil.GetAsync($"{Comparisons}/{id}")).AssertStatus(HttpStatusCode.OK);
        var villages = detail.Json!["villages"]!.AsArray().ToDictionary(v => v!["villageCode"]!.GetValue<string>(), v => v!);
        Assert.Equal([County.VillageA1, County.VillageA2, County.VillageB1], villages.Keys.Order());
        Assert.Equal("甲二村", villages[County.VillageA2]["villageName"]!.GetValue<string>());
        Assert.Equal(2, villages[County.VillageA2]["counts"]!["open"]!.GetValue<int>());

        // In the roster, without a file: in the roster's village, with what the roster said.
        var missing = ItemOf(detail, "missing-file", "周小四");
        Assert.Equal(County.VillageA2, missing["villageCode"]!.GetValue<string>());
        Assert.Equal("平安中学", missing["roster"]!["school"]!.GetValue<string>());
        Assert.Equal("初一", missing["roster"]!["grade"]!.GetValue<string>());
        Assert.Equal(5, missing["roster"]!["row"]!.GetValue<int>());
        Assert.Null(missing["file"]);

        // A file without a row: the 14-year-old, in the file's village.
        var absent = ItemOf(detail, "no-roster-row", "赵小军");
        Assert.Equal(County.VillageB1, absent["villageCode"]!.GetValue<string>());
        Assert.Equal(Files["赵小军"], absent["file"]!["id"]!.GetValue<string>());

        // Matched by name and birth date, in another village: the village differs (the item is the file's village's).
        var moved = ItemOf(detail, "differs", "王小明");
        Assert.Equal(County.VillageA1, moved["villageCode"]!.GetValue<string>());
        var village = Assert.Single(moved["differences"]!.AsArray())!;
        Assert.Equal("village", village["field"]!.GetValue<string>());
        Assert.Contains("甲二村", village["roster"]!.GetValue<string>());
        Assert.Contains("甲一村", village["file"]!.GetValue<string>());

        // Matched by the ID number's hash across a new name: the name and the (corrected) birth date differ.
        var renamed = ItemOf(detail, "differs", "陈雨萱");
        Assert.Equal(Files["陈小雨"], renamed["file"]!["id"]!.GetValue<string>());
        var fields = renamed["differences"]!.AsArray().ToDictionary(d => d!["field"]!.GetValue<string>(), d => d!);
        Assert.Equal(["birthDate", "name"], fields.Keys.Order());
        Assert.Equal("2015-09-01", fields["birthDate"]["roster"]!.GetValue<string>());
        Assert.Equal("2015-09-11", fields["birthDate"]["file"]!.GetValue<string>());

        // 李小花 is as on file; 孙小宝 is not of school age: neither is an item.
        Assert.DoesNotContain(Items(detail), i => ApiResponse.Texts(i).Any(t => t.Contains("李小花") || t == Files["李小花"] || t == Files["孙小宝"]));

        // Filters: a village, a state, a kind.
        var a2 = (await civil.GetAsync($"{Comparisons}/{id}?villageCode={County.VillageA2}&state=open")).AssertStatus(HttpStatusCode.OK);
        Assert.All(Items(a2), i => Assert.Equal(County.VillageA2, i!["villageCode"]!.GetValue<string>()));
        Assert.Equal(2, Items(a2).Count);
        Assert.Single(Items((await civil.GetAsync($"{Comparisons}/{id}?kind=missing-file")).AssertStatus(HttpStatusCode.OK)));
        Assert.Empty(Items((await civil.GetAsync($"{Comparisons}/{id}?state=resolved")).AssertStatus(HttpStatusCode.OK)));
        (await civil.GetAsync($"{Comparisons}/{id}?state=maybe&kind=odd")).AssertFieldErrors("state", "kind");

        var list = (await civil.GetAsync($"{Comparisons}?quarter={Quarter}")).AssertStatus(HttpStatusCode.OK).Array;
        Assert.Equal(id, Assert.Single(list)!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task AnIdNumberIsNeverReturnedNorStoredInClearAndUploadsAndReadsAreAudited()
    {
        var upload = await UploadEducationAsync();
        var id = upload["id"]!.GetValue<string>();
        var civil = await County.As("civil");
        var detail = (await civil.GetAsync($"{Comparisons}/{id}")).AssertStatus(HttpStatusCode.OK);
        foreach (var body in new[] { upload.ToJsonString(), detail.Body, string.Join("|", ApiResponse.Texts(detail.Json)) })
        {
            Assert.DoesNotContain(ZhouId, body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(ChenId, body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("nationalId", body, StringComparison.OrdinalIgnoreCase);
        }

        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<TongxinDbContext>();
        var stored = string.Join("|", (await db.RosterComparisonItems.Where(i => i.ComparisonId == id).ToListAsync())
            .SelectMany(i => new[] { i.RosterName, i.RosterSchool, i.RosterGrade, i.RosterVillageCode, i.ChildId, i.DifferencesJson, i.VillageCode }));
        Assert.Contains("周小四", stored);
        Assert.DoesNotContain(ZhouId[..17], stored, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(ChenId[..17], stored, StringComparison.OrdinalIgnoreCase);
        // Not even the number's keyed hash is kept for a roster row: the file alone carries it (set by the roster import).
        var chenHash = await db.Children.Where(c => c.Id == Files["陈小雨"]).Select(c => c.NationalIdHash).SingleAsync();
        Assert.NotNull(chenHash);
        Assert.DoesNotContain(chenHash!, stored);

        var audit = await db.AuditEntries.Where(a => a.SubjectId == id).Select(a => new { a.Action, a.Outcome }).ToListAsync();
        Assert.Contains(audit, a => a.Action == "comparison.upload" && a.Outcome == "done");
        Assert.Contains(audit, a => a.Action == "comparison.read" && a.Outcome == "done");
    }

    [Fact]
    public async Task UnknownHeadersMissingColumnsAndBadRowsAnswer400NamingThemAndWriteNothing()
    {
        var civil = await County.As("civil");
        var url = $"{Comparisons}?source=education&quarter={Quarter}";

        var unknown = (await civil.PostBytesAsync(url, Utf8("学校,年级,姓名,生日呀,村/社区,班主任\n平安小学,三年级,李小花,2015-03-08,甲一村,王老师\n"), "text/csv"))
            .AssertFieldErrors("headers");
        Assert.Contains("生日呀", unknown.Body);
        Assert.Contains("班主任", unknown.Body);
        Assert.Contains("出生日期", unknown.Body); // missing, and offered among the accepted

        var missing = (await civil.PostBytesAsync(url, Utf8("姓名,出生日期,村/社区\n李小花,2015-03-08,甲一村\n"), "text/csv")).AssertFieldErrors("headers");
        Assert.Contains("学校", missing.Body);
        Assert.Contains("年级", missing.Body);
        // The police's roster takes other columns: a household village, no school.
        (await civil.PostBytesAsync($"{Comparisons}?source=police&quarter={Quarter}", Utf8("姓名,出生日期,村/社区\n李小花,2015-03-08,甲一村\n"), "text/csv"))
            .AssertFieldErrors("headers");

        var bad = EducationHeaders + "\n"
            + "平安小学,三年级,李小花,2015-03-08,甲一村,\n"
            + "平安小学,三年级,王小明,2014-13-01,甲一村,\n"
            + "平安小学,三年级,周小四,2013-01-01,不存在村,\n"
            + $"平安小学,三年级,陈雨萱,2015-09-01,甲二村,{ChenId[..^1]}{(ChenId[^1] == '0' ? '1' : '0')}\n"
            + ",三年级,赵,2012-05-05,乙一村,\n"
            + "平安小学,三年级,李小花,2015-03-08,甲一村,\n";
        var refused = (await civil.PostBytesAsync(url, Utf8(bad), "text/csv"))
            .AssertFieldErrors("row 3.出生日期", "row 4.村/社区", "row 5.身份证号", "row 6.学校", "row 6.姓名", "row 7.姓名");
        Assert.Contains("不存在村", refused.Body);
        Assert.Contains("2", refused.Json!["errors"]!["row 7.姓名"]![0]!.GetValue<string>()); // the same child as row 2

        (await civil.PostBytesAsync($"{Comparisons}?source=school&quarter=2026Q5", Utf8(EducationRoster()), "text/csv")).AssertFieldErrors("source");
        (await civil.PostBytesAsync($"{Comparisons}?source=education&quarter=2026Q5", Utf8(EducationRoster()), "text/csv")).AssertFieldErrors("quarter");
        (await civil.PostBytesAsync($"{Comparisons}?source=education&quarter=2099Q1", Utf8(EducationRoster()), "text/csv")).AssertFieldErrors("quarter");
        (await civil.PostBytesAsync(url, [], "text/csv")).AssertFieldErrors("file");
        (await civil.PostAsync(url, new { })).AssertProblem(HttpStatusCode.UnsupportedMediaType);

        // Nothing was written by any of them.
        Assert.Empty((await civil.GetAsync(Comparisons)).AssertStatus(HttpStatusCode.OK).Array);
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<TongxinDbContext>();
        Assert.Equal(0, await db.RosterComparisons.CountAsync(c => c.CountyCode == County.Code));

        // Only civil affairs uploads: the town and the village are refused before the file is read.
        (await (await County.As("supervisor-a")).PostBytesAsync(url, Utf8(EducationRoster()), "text/csv")).AssertProblem(HttpStatusCode.Forbidden);
        (await (await County.As("director-a1")).PostBytesAsync(url, Utf8("not a sheet"), "text/csv")).AssertProblem(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task APoliceRosterInXlsxWithEnglishHeadersExpectsEveryOpenFile()
    {
        using var sheet = new MemoryStream();
        sheet.SaveAs(new[]
        {
            new Dictionary<string, object> { ["name"] = "李小花", ["birthDate"] = new DateTime(2015, 3, 8), ["householdVillage"] = County.VillageA1 },
            new Dictionary<string, object> { ["name"] = "王小明", ["birthDate"] = new DateTime(2014, 7, 1), ["householdVillage"] = "甲一村" },
        }, excelType: ExcelType.XLSX);
        var civil = await County.As("civil");
        var upload = (await civil.PostBytesAsync($"{Comparisons}?source=police&quarter={Quarter}", sheet.ToArray(), Xlsx)).AssertStatus(HttpStatusCode.Created).Json!;
        Assert.Equal("police", upload["source"]!.GetValue<string>());
        Assert.Equal(5, upload["filesCompared"]!.GetValue<int>());
        // The household register holds every child: 陈小雨, 赵小军 and also 孙小宝 (4) are missing from it.
        Assert.Equal(3, upload["counts"]!["noRosterRow"]!.GetValue<int>());
        Assert.Equal(3, upload["counts"]!["total"]!.GetValue<int>());
        var detail = (await civil.GetAsync($"{Comparisons}/{upload["id"]!.GetValue<string>()}")).AssertStatus(HttpStatusCode.OK);
        Assert.Contains(Items(detail), i => i!["file"]!["id"]!.GetValue<string>() == Files["孙小宝"]);
    }

    [Fact]
    public async Task ARosterSentAgainReplacesTheComparisonUntilAnItemIsResolved()
    {
        var first = await UploadEducationAsync();
        var second = await UploadEducationAsync();
        var id = first["id"]!.GetValue<string>();
        Assert.Equal(id, second["id"]!.GetValue<string>());
        var civil = await County.As("civil");
        var detail = (await civil.GetAsync($"{Comparisons}/{id}")).AssertStatus(HttpStatusCode.OK);
        Assert.Equal(4, Items(detail).Count);

        var item = ItemOf(detail, "no-roster-row", "赵小军")["id"]!.GetValue<string>();
        (await (await County.As("director-b1")).PostAsync($"{Comparisons}/{id}/items/{item}/resolve", new { resolution = "roster-wrong", note = "学校漏报，已核实在读" }))
            .AssertStatus(HttpStatusCode.OK);
        (await civil.PostBytesAsync($"{Comparisons}?source=education&quarter={Quarter}", Utf8(EducationRoster()), "text/csv"))
            .AssertProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task ADirectorResolvesOnlyTheirVillagesItemsAndTheComparisonIsDoneWhenAllAre()
    {
        var id = (await UploadEducationAsync())["id"]!.GetValue<string>();
        var civil = await County.As("civil");
        var all = (await civil.GetAsync($"{Comparisons}/{id}")).AssertStatus(HttpStatusCode.OK);
        var moved = ItemOf(all, "differs", "王小明")["id"]!.GetValue<string>();        // 甲一村
        var renamed = ItemOf(all, "differs", "陈雨萱")["id"]!.GetValue<string>();      // 甲二村
        var missing = ItemOf(all, "missing-file", "周小四")["id"]!.GetValue<string>(); // 甲二村
        var absent = ItemOf(all, "no-roster-row", "赵小军")["id"]!.GetValue<string>(); // 乙一村
        string Resolve(string item) => $"{Comparisons}/{id}/items/{item}/resolve";

        // The director of 甲一村 sees their village's item only, and the counts of their village.
        var a1 = await County.As("director-a1");
        var theirs = (await a1.GetAsync($"{Comparisons}/{id}")).AssertStatus(HttpStatusCode.OK);
        Assert.Equal([moved], Items(theirs).Select(i => i!["id"]!.GetValue<string>()));
        Assert.Equal(1, theirs.Json!["comparison"]!["counts"]!["total"]!.GetValue<int>());
        Assert.Equal(County.VillageA1, Assert.Single(theirs.Json["villages"]!.AsArray())!["villageCode"]!.GetValue<string>());
        Assert.Equal(1, Assert.Single((await a1.GetAsync(Comparisons)).AssertStatus(HttpStatusCode.OK).Array)!["counts"]!["total"]!.GetValue<int>());
        (await a1.GetAsync($"{Comparisons}/{id}?villageCode={County.VillageA2}")).AssertProblem(HttpStatusCode.Forbidden);
        // Another village's item does not exist for them.
        (await a1.PostAsync(Resolve(renamed), new { resolution = "roster-wrong", note = "不是我村的" })).AssertProblem(HttpStatusCode.NotFound);

        // Bad input names the fields; a file "created" for a difference is refused by the rule.
        (await a1.PostAsync(Resolve(moved), new { resolution = "lost" })).AssertFieldErrors("resolution", "note");
        (await a1.PostAsync(Resolve(moved), new { resolution = "file-created", note = "已建档" })).AssertFieldErrors("childId");
        (await a1.PostAsync(Resolve(moved), new { resolution = "file-created", note = "已建档", childId = Files["王小明"] }))
            .AssertProblem((HttpStatusCode)422).AssertErrorsOn("resolution");
        var resolved = (await a1.PostAsync(Resolve(moved), new { resolution = "file-moved-or-closed", note = "已随父母迁往甲二村，档案已转" }))
            .AssertStatus(HttpStatusCode.OK).Json!;
        Assert.Equal("resolved", resolved["item"]!["state"]!.GetValue<string>());
        Assert.Equal("file-moved-or-closed", resolved["item"]!["resolution"]!.GetValue<string>());
        Assert.Equal("已随父母迁往甲二村，档案已转", resolved["item"]!["note"]!.GetValue<string>());
        Assert.Equal(County.User("director-a1"), resolved["item"]!["resolvedBy"]!.GetValue<string>());
        Assert.False(resolved["comparisonDone"]!.GetValue<bool>());
        (await a1.PostAsync(Resolve(moved), new { resolution = "roster-wrong", note = "再来一次" })).AssertProblem(HttpStatusCode.Conflict);

        // The town's supervisor resolves the town's items, not another town's.
        var supervisor = await County.As("supervisor-a");
        (await supervisor.PostAsync(Resolve(absent), new { resolution = "roster-wrong", note = "不是本镇的" })).AssertProblem(HttpStatusCode.NotFound);
        (await supervisor.PostAsync(Resolve(renamed), new { resolution = "roster-wrong", note = "已核对户口簿：名册姓名、出生日期有误" })).AssertStatus(HttpStatusCode.OK);

        // A missing file: the director of 甲二村 opens it and links it; only a file they can see, and open.
        var a2 = await County.As("director-a2");
        (await a2.PostAsync(Resolve(missing), new { resolution = "file-created", note = "已建档", childId = Files["赵小军"] }))
            .AssertProblem((HttpStatusCode)422).AssertErrorsOn("childId");
        var body = SampleCounty.ChildBody(County.VillageA2);
        body["familyName"] = "周"; body["givenName"] = "小四"; body["birthDate"] = "2013-01-01";
        var newFile = (await a2.PostAsync("/api/children", body)).AssertStatus(HttpStatusCode.Created).Id;
        var linked = (await a2.PostAsync(Resolve(missing), new { resolution = "file-created", note = "入户核实后建档", childId = newFile })).AssertStatus(HttpStatusCode.OK).Json!;
        Assert.Equal(newFile, linked["item"]!["resolvedChildId"]!.GetValue<string>());
        Assert.False(linked["comparisonDone"]!.GetValue<bool>());

        // Not done yet: the ledger says so, with the items of each kind.
        var ledger = (await civil.GetAsync($"/api/reports/ledger?quarter={Quarter}")).AssertStatus(HttpStatusCode.OK).Json!;
        var education = ledger["comparisons"]!.AsArray().Single(c => c!["source"]!.GetValue<string>() == "education")!;
        Assert.True(education["uploaded"]!.GetValue<bool>());
        Assert.False(education["done"]!.GetValue<bool>());
        Assert.Equal(1, education["open"]!.GetValue<int>());

        // The last item: the comparison is done, and the quarter's ledger shows it, when, and the items of each kind.
        var last = (await (await County.As("director-b1")).PostAsync(Resolve(absent), new { resolution = "file-moved-or-closed", note = "已转学到县外，档案已关闭" }))
            .AssertStatus(HttpStatusCode.OK).Json!;
        Assert.True(last["comparisonDone"]!.GetValue<bool>());
        Assert.NotNull(last["completedAt"]);
        var done = (await civil.GetAsync($"{Comparisons}/{id}?state=resolved")).AssertStatus(HttpStatusCode.OK);
        Assert.True(done.Json!["comparison"]!["done"]!.GetValue<bool>());
        Assert.Equal(4, Items(done).Count);

        ledger = (await civil.GetAsync($"/api/reports/ledger?quarter={Quarter}")).AssertStatus(HttpStatusCode.OK).Json!;
        var comparisons = ledger["comparisons"]!.AsArray().ToDictionary(c => c!["source"]!.GetValue<string>(), c => c!);
        education = comparisons["education"];
        Assert.True(education["done"]!.GetValue<bool>());
        Assert.NotNull(education["completedAt"]);
        Assert.Equal([1, 1, 2, 0], new[] { "missingFile", "noRosterRow", "differs", "open" }.Select(k => education[k]!.GetValue<int>()));
        Assert.False(comparisons["police"]["uploaded"]!.GetValue<bool>());
        Assert.False(comparisons["police"]["done"]!.GetValue<bool>());
        ApiResponse.AssertNothingOf(ledger, "周小四", "陈雨萱", "birthDate");

        // The town's ledger counts the town's items; the CSV carries the comparison on the total's rows.
        var town = (await supervisor.GetAsync($"/api/reports/ledger?quarter={Quarter}")).AssertStatus(HttpStatusCode.OK).Json!;
        var townEducation = town["comparisons"]!.AsArray().Single(c => c!["source"]!.GetValue<string>() == "education")!;
        Assert.Equal([1, 0, 2], new[] { "missingFile", "noRosterRow", "differs" }.Select(k => townEducation[k]!.GetValue<int>()));
        var csv = await civil.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/reports/ledger?quarter={Quarter}&format=csv"));
        Assert.Contains($"{County.Code},测试县,comparison.education.done,", csv.Body);
        Assert.Contains("comparison.police.done", csv.Body);
    }

    [Fact]
    public async Task TheTemplatesHaveTheHeadersTheUploadReads()
    {
        var civil = await County.As("civil");
        foreach (var source in new[] { "education", "police" })
        {
            foreach (var (format, type) in new[] { ("xlsx", Xlsx), ("csv", "text/csv") })
            {
                using var response = await civil.Http.GetAsync($"{Comparisons}/template?source={source}&format={format}");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var template = await response.Content.ReadAsByteArrayAsync();
                // Read back by the upload itself: the headers are accepted; the invented example's village is not this county's.
                var village = source == "education" ? "村/社区" : "户籍村";
                (await civil.PostBytesAsync($"{Comparisons}?source={source}", template, type)).AssertFieldErrors($"row 2.{village}");
            }
        }
        (await civil.GetAsync($"{Comparisons}/template?source=education&format=pdf")).AssertFieldErrors("format");
        (await civil.GetAsync($"{Comparisons}/template?source=school")).AssertFieldErrors("source");
        (await (await County.As("director-a1")).GetAsync($"{Comparisons}/template?source=education")).AssertProblem(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task AnotherCountyNeitherSeesNorResolvesTheComparison()
    {
        var id = (await UploadEducationAsync())["id"]!.GetValue<string>();
        var item = Items((await (await County.As("civil")).GetAsync($"{Comparisons}/{id}")).AssertStatus(HttpStatusCode.OK))[0]!["id"]!.GetValue<string>();
        var other = await TestCounty.CreateAsync(app);
        var civil = await other.As("civil");
        Assert.Empty((await civil.GetAsync(Comparisons)).AssertStatus(HttpStatusCode.OK).Array);
        (await civil.GetAsync($"{Comparisons}/{id}")).AssertProblem(HttpStatusCode.NotFound);
        (await (await other.As("director-a1")).PostAsync($"{Comparisons}/{id}/items/{item}/resolve", new { resolution = "roster-wrong", note = "越界" }))
            .AssertProblem(HttpStatusCode.NotFound);
        // Programme owners and the provider side have no part in it.
        (await (await County.As("fulian")).GetAsync(Comparisons)).AssertProblem(HttpStatusCode.Forbidden);
    }
}
