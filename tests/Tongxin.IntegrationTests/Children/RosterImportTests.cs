using System.Net;
using System.Text;
using MiniExcelLibs;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Children;

public sealed class RosterImportTestsOnSqlite(SqliteApp app) : RosterImportTests(app), IClassFixture<SqliteApp>;

public sealed class RosterImportTestsOnPostgres(PostgresApp app) : RosterImportTests(app), IClassFixture<PostgresApp>;

/// <summary>
/// The county's roster of children becomes files (issue 16, point 1): one child one file, matched by national ID
/// number (kept only as a keyed hash) or by name, birth date and village; a dry run writes nothing; the import writes
/// every row or none; the same sheet twice changes nothing the second time.
/// </summary>
public abstract class RosterImportTests(TongxinApp app) : IAsyncLifetime
{
    private const string Import = "/api/children/import";
    private const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    private const string Headers = "姓名,性别,出生日期,村/社区,类别,监护情况,风险等级";

    private TestCounty County { get; set; } = null!;

    public async Task InitializeAsync() => County = await TestCounty.CreateAsync(app);

    public Task DisposeAsync() => Task.CompletedTask;

    private static byte[] Utf8(string csv) => Encoding.UTF8.GetBytes(csv);

    /// <summary>A national ID number with a valid GB 11643 check digit; an odd sequence number is a boy.</summary>
    private static string NationalId(DateOnly birthDate, int sequence)
    {
        var body = $"522601{birthDate:yyyyMMdd}{sequence:000}";
        int[] weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        var sum = body.Select((c, i) => (c - '0') * weights[i]).Sum();
        return body + "10X98765432"[sum % 11];
    }

    private async Task<int> TotalAsync(Api civil) =>
        (await civil.GetAsync("/api/children?pageSize=1")).AssertStatus(HttpStatusCode.OK).Get<int>("total");

    [Fact]
    public async Task ADryRunSaysWhatEachRowWouldDoAndWritesNothing()
    {
        var other = await TestCounty.CreateAsync(app);
        var csv = Headers + "\n"
            + "李小花,女,2015-03-08,甲一村,留守儿童,父母均在外务工，祖母照料,低\n"
            + $"王小明,男,2014/7/1,{County.VillageB1},困境儿童,父亲服刑，母亲离家,高\n"
            + "赵,男,2014-07-01,甲一村,留守儿童,祖父照料,中\n"
            + "钱小二,男,2014-13-01,甲一村,留守儿童,祖父照料,中\n"
            + "孙小三,女,2013-01-01,不存在村,孤儿,祖父照料,极高\n"
            + $"周小四,女,2013-01-01,{other.VillageA1},留守儿童,祖父照料,低\n";
        var civil = await County.As("civil");
        var before = await TotalAsync(civil);

        var check = (await civil.PostBytesAsync($"{Import}?dryRun=true", Utf8(csv), "text/csv")).AssertStatus(HttpStatusCode.OK);
        Assert.True(check.Get<bool>("dryRun"));
        var rows = check.Json!["rows"]!.AsArray();
        Assert.Equal(["new", "new", "error", "error", "error", "error"], rows.Select(r => r!["status"]!.GetValue<string>()));
        Assert.Equal(2, check.Get<int>("new"));
        Assert.Equal(4, check.Get<int>("errors"));
        Assert.Equal(County.VillageA1, rows[0]!["villageCode"]!.GetValue<string>());
        Assert.Equal("2014-07-01", rows[1]!["birthDate"]!.GetValue<string>());
        Assert.Equal(4, rows[2]!["row"]!.GetValue<int>()); // the header is row 1, as Excel numbers them
        Assert.NotNull(rows[2]!["errors"]!["姓名"]);
        Assert.NotNull(rows[3]!["errors"]!["出生日期"]);
        var fifth = rows[4]!["errors"]!.AsObject();
        Assert.Equal(["村/社区", "类别", "风险等级"], fifth.Select(e => e.Key).Order());
        Assert.Contains("留守儿童", fifth["类别"]![0]!.GetValue<string>()); // the message offers the accepted values
        Assert.NotNull(rows[5]!["errors"]!["村/社区"]); // another county's village is not the importer's
        Assert.All(rows, r => Assert.Null(r!["childId"]));

        Assert.Equal(before, await TotalAsync(civil));
    }

    [Fact]
    public async Task AnImportWritesEveryRowOrNoneAndTheSameSheetAgainChangesNothing()
    {
        var civil = await County.As("civil");
        var before = await TotalAsync(civil);
        var good = Headers + "\n"
            + "李小花,女,2015-03-08,甲一村,留守儿童,父母均在外务工，祖母照料,低\n"
            + "欧阳明,男,2014-07-01,乙一村,困境儿童,父亲服刑，母亲离家,高\n";
        var bad = good + "钱小二,男,2014-13-01,甲一村,留守儿童,祖父照料,中\n";

        var refused = (await civil.PostBytesAsync($"{Import}?dryRun=false", Utf8(bad), "text/csv")).AssertProblem((HttpStatusCode)422);
        Assert.Contains("row 4.出生日期", refused.Json!["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(before, await TotalAsync(civil));

        var imported = (await civil.PostBytesAsync($"{Import}?dryRun=false", Utf8(good), "text/csv")).AssertStatus(HttpStatusCode.OK);
        Assert.Equal(2, imported.Get<int>("new"));
        Assert.Equal(before + 2, await TotalAsync(civil));
        var id = imported.Json!["rows"]![1]!["childId"]!.GetValue<string>();
        var file = (await civil.GetAsync($"/api/children/{id}")).AssertStatus(HttpStatusCode.OK);
        Assert.Equal("欧阳", file.Get<string>("familyName")); // a compound family name stays whole
        Assert.Equal("明", file.Get<string>("givenName"));
        Assert.Equal("in-difficulty", file.Get<string>("category"));
        Assert.Equal("high", file.Get<string>("riskLevel"));
        Assert.Equal(County.VillageB1, file.Get<string>("villageCode"));
        // The director of the village sees the new file as one of theirs.
        (await (await County.As("director-b1")).GetAsync($"/api/children/{id}")).AssertStatus(HttpStatusCode.OK);

        var again = (await civil.PostBytesAsync($"{Import}?dryRun=false", Utf8(good), "text/csv")).AssertStatus(HttpStatusCode.OK);
        Assert.Equal([0, 2, 0], new[] { again.Get<int>("new"), again.Get<int>("same"), again.Get<int>("changed") });
        Assert.Equal(id, again.Json!["rows"]![1]!["childId"]!.GetValue<string>());
        Assert.Equal(before + 2, await TotalAsync(civil));
        Assert.Equal(1, (await civil.GetAsync($"/api/children/{id}")).Get<int>("version"));
    }

    [Fact]
    public async Task AChangedRowUpdatesTheFileItMatchesAndTheRiskChangeKeepsTheRosterAsItsReason()
    {
        var civil = await County.As("civil");
        var director = await County.As("director-a1");
        var first = Headers + "\n王小红,女,2016-05-20,甲一村,留守儿童,父母均在外务工，祖母照料,低\n";
        var id = (await civil.PostBytesAsync($"{Import}?dryRun=false", Utf8(first), "text/csv")).AssertStatus(HttpStatusCode.OK)
            .Json!["rows"]![0]!["childId"]!.GetValue<string>();
        // The director reads the file first, so its grain holds it in memory.
        Assert.Equal("low", (await director.GetAsync($"/api/children/{id}")).AssertStatus(HttpStatusCode.OK).Get<string>("riskLevel"));

        var second = Headers + "\n王小红,女,2016-05-20,甲一村,留守儿童,母亲返乡照料,中\n";
        var check = (await civil.PostBytesAsync(Import, Utf8(second), "text/csv")).AssertStatus(HttpStatusCode.OK);
        var row = check.Json!["rows"]![0]!;
        Assert.Equal("changed", row["status"]!.GetValue<string>());
        Assert.Equal(["监护情况", "风险等级"], row["changes"]!.AsArray().Select(c => c!.GetValue<string>()).Order());
        Assert.Equal("low", (await director.GetAsync($"/api/children/{id}")).Get<string>("riskLevel")); // the check wrote nothing

        (await civil.PostBytesAsync($"{Import}?dryRun=false", Utf8(second), "text/csv")).AssertStatus(HttpStatusCode.OK);
        var file = (await director.GetAsync($"/api/children/{id}")).AssertStatus(HttpStatusCode.OK);
        Assert.Equal("medium", file.Get<string>("riskLevel"));
        Assert.Equal("母亲返乡照料", file.Get<string>("guardianSituation"));
        Assert.Equal(2, file.Get<int>("version"));
        var history = (await director.GetAsync($"/api/children/{id}/risk-history")).AssertStatus(HttpStatusCode.OK);
        Assert.Contains("第 2 行", history.Body);

        // The director's next change goes on from the imported version; the file is not overwritten with the old one.
        var update = SampleCounty.ChildBody(County.VillageA1, consent: false);
        update["givenName"] = "小红"; update["familyName"] = "王"; update["birthDate"] = "2016-05-20";
        update["guardianSituation"] = "母亲返乡照料，已复学"; update["riskLevel"] = "medium"; update["version"] = 2;
        (await director.PutAsync($"/api/children/{id}", update)).AssertStatus(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ANationalIdNumberMatchesAcrossANameChangeAndIsNeverShown()
    {
        var civil = await County.As("civil");
        var birth = new DateOnly(2015, 9, 1);
        var number = NationalId(birth, 124); // even: a girl
        var withId = Headers + ",身份证号\n";
        var first = withId + $"陈小雨,女,2015-09-01,甲二村,留守儿童,祖母照料,低,{number}\n";
        var imported = (await civil.PostBytesAsync($"{Import}?dryRun=false", Utf8(first), "text/csv")).AssertStatus(HttpStatusCode.OK);
        var id = imported.Json!["rows"]![0]!["childId"]!.GetValue<string>();
        Assert.DoesNotContain(number, imported.Body);

        // The same number under another name (the family corrected it) is the same child: changed, not new.
        var renamed = withId + $"陈雨萱,女,2015-09-01,甲二村,留守儿童,祖母照料,低,{number.ToLowerInvariant()}\n";
        var check = (await civil.PostBytesAsync(Import, Utf8(renamed), "text/csv")).AssertStatus(HttpStatusCode.OK);
        var row = check.Json!["rows"]![0]!;
        Assert.Equal("changed", row["status"]!.GetValue<string>());
        Assert.Equal(id, row["childId"]!.GetValue<string>());
        Assert.Equal(["姓名"], row["changes"]!.AsArray().Select(c => c!.GetValue<string>()));

        (await civil.PostBytesAsync($"{Import}?dryRun=false", Utf8(renamed), "text/csv")).AssertStatus(HttpStatusCode.OK);
        var file = (await civil.GetAsync($"/api/children/{id}")).AssertStatus(HttpStatusCode.OK);
        Assert.Equal("雨萱", file.Get<string>("givenName"));
        Assert.DoesNotContain(number, file.Body);
        Assert.DoesNotContain("nationalId", file.Body, StringComparison.OrdinalIgnoreCase);

        // A number whose check digit is wrong, or whose birth date or gender differs from the row's, is an error.
        var wrong = number[..^1] + (number[^1] == '0' ? '1' : '0');
        var bad = withId
            + $"陈小雨,女,2015-09-01,甲二村,留守儿童,祖母照料,低,{wrong}\n"
            + $"陈小雨,女,2015-09-02,甲二村,留守儿童,祖母照料,低,{number}\n"
            + $"陈小雨,男,2015-09-01,甲二村,留守儿童,祖母照料,低,{number}\n";
        var errors = (await civil.PostBytesAsync(Import, Utf8(bad), "text/csv")).AssertStatus(HttpStatusCode.OK).Json!["rows"]!.AsArray();
        Assert.All(errors, r => Assert.NotNull(r!["errors"]!["身份证号"]));
        Assert.DoesNotContain(number, errors.ToJsonString());
    }

    [Fact]
    public async Task TheSameChildTwiceInOneSheetIsAnErrorOnTheSecondRow()
    {
        var civil = await County.As("civil");
        var csv = Headers + "\n"
            + "李小花,女,2015-03-08,甲一村,留守儿童,祖母照料,低\n"
            + "李小花,女,2015-03-08,甲一村,留守儿童,祖母照料,中\n";
        var rows = (await civil.PostBytesAsync(Import, Utf8(csv), "text/csv")).AssertStatus(HttpStatusCode.OK).Json!["rows"]!.AsArray();
        Assert.Equal("new", rows[0]!["status"]!.GetValue<string>());
        Assert.Equal("error", rows[1]!["status"]!.GetValue<string>());
        Assert.Contains("2", rows[1]!["errors"]!["姓名"]![0]!.GetValue<string>()); // it names the row it repeats
    }

    [Fact]
    public async Task AMoveToAnotherVillageWithOpenNeedsIsAnErrorOnItsRow()
    {
        var civil = await County.As("civil");
        var first = Headers + "\n刘小军,男,2013-02-02,甲一村,留守儿童,祖父照料,中\n";
        var id = (await civil.PostBytesAsync($"{Import}?dryRun=false", Utf8(first), "text/csv")).AssertStatus(HttpStatusCode.OK)
            .Json!["rows"]![0]!["childId"]!.GetValue<string>();
        var director = await County.As("director-a1");
        (await director.PutAsync($"/api/children/{id}/consent", new { by = "刘爷爷", relation = "grandfather", recordedAt = DateTime.UtcNow.AddHours(-1) }))
            .AssertStatus(HttpStatusCode.NoContent);
        var need = new { line = "tutoring", details = new { subject = "maths", grade = 4, schedule = new[] { "weekend-morning" }, mode = "online" }, urgency = "normal" };
        (await director.PostAsync($"/api/children/{id}/needs", need)).AssertStatus(HttpStatusCode.Created);

        // Name, birth date and village together are the match key, so a move is read by the ID number.
        var number = NationalId(new DateOnly(2013, 2, 2), 135);
        var withId = Headers + ",身份证号\n";
        (await civil.PostBytesAsync($"{Import}?dryRun=false", Utf8(withId + $"刘小军,男,2013-02-02,甲一村,留守儿童,祖父照料,中,{number}\n"), "text/csv"))
            .AssertStatus(HttpStatusCode.OK);
        var moved = (await civil.PostBytesAsync(Import, Utf8(withId + $"刘小军,男,2013-02-02,甲二村,留守儿童,祖父照料,中,{number}\n"), "text/csv"))
            .AssertStatus(HttpStatusCode.OK).Json!["rows"]![0]!;
        Assert.Equal("error", moved["status"]!.GetValue<string>());
        Assert.NotNull(moved["errors"]!["村/社区"]);
    }

    [Fact]
    public async Task AGb18030CsvAndAnXlsxAreReadAlike()
    {
        var civil = await County.As("civil");
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var gbk = Encoding.GetEncoding("GB18030").GetBytes(Headers + "\n周丽丽,女,2012年5月6日,甲二村,留守儿童,外婆照料,低\n");
        var fromCsv = (await civil.PostBytesAsync(Import, gbk, "text/csv")).AssertStatus(HttpStatusCode.OK).Json!["rows"]![0]!;
        Assert.Equal("周丽丽", fromCsv["name"]!.GetValue<string>());
        Assert.Equal("2012-05-06", fromCsv["birthDate"]!.GetValue<string>());
        Assert.Equal(County.VillageA2, fromCsv["villageCode"]!.GetValue<string>());

        using var sheet = new MemoryStream();
        sheet.SaveAs(new[]
        {
            new Dictionary<string, object>
            {
                ["儿童姓名"] = "吴刚", ["性别"] = "男", ["出生日期"] = new DateTime(2011, 11, 11), ["村（社区）"] = County.VillageB1,
                ["儿童类别"] = "困境儿童", ["监护情况"] = "父母重病", ["风险等级"] = "中",
            },
        }, excelType: ExcelType.XLSX);
        var fromXlsx = (await civil.PostBytesAsync(Import, sheet.ToArray(), Xlsx)).AssertStatus(HttpStatusCode.OK).Json!["rows"]![0]!;
        Assert.Equal("new", fromXlsx["status"]!.GetValue<string>());
        Assert.Equal("2011-11-11", fromXlsx["birthDate"]!.GetValue<string>()); // a date cell is read as the date
        Assert.Equal(County.VillageB1, fromXlsx["villageCode"]!.GetValue<string>());
    }

    [Fact]
    public async Task UnknownHeadersAndFilesThatAreNotSheetsAnswer400AndChangeNothing()
    {
        var civil = await County.As("civil");
        var before = await TotalAsync(civil);
        var unknown = (await civil.PostBytesAsync(Import, Utf8("姓名,性别,生日呀,村/社区,类别,监护情况,风险等级\n李小花,女,2015-03-08,甲一村,留守儿童,祖母照料,低\n"), "text/csv"))
            .AssertFieldErrors("headers");
        Assert.Contains("生日呀", unknown.Body);
        Assert.Contains("出生日期", unknown.Body);

        (await civil.PostBytesAsync($"{Import}?dryRun=false", [], "text/csv")).AssertFieldErrors("file");
        (await civil.PostBytesAsync($"{Import}?dryRun=false", Utf8(Headers + "\n"), "text/csv")).AssertFieldErrors("file");
        (await civil.PostBytesAsync($"{Import}?dryRun=false", [0x50, 0x4B, 0x03, 0x04, 1, 2, 3, 4, 5], Xlsx)).AssertFieldErrors("file");
        // An encrypted (password-protected) workbook is an OLE compound file, not a zip.
        (await civil.PostBytesAsync($"{Import}?dryRun=false", [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], Xlsx)).AssertFieldErrors("file");
        (await civil.PostAsync(Import, new { })).AssertProblem(HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(before, await TotalAsync(civil));
    }

    [Fact]
    public async Task ASupervisorImportsOnlyTheirTownAndADirectorCannotImport()
    {
        var supervisor = await County.As("supervisor-a");
        var csv = Headers + "\n"
            + "李小花,女,2015-03-08,甲一村,留守儿童,祖母照料,低\n"
            + "王小明,男,2014-07-01,乙一村,留守儿童,祖父照料,低\n";
        var rows = (await supervisor.PostBytesAsync(Import, Utf8(csv), "text/csv")).AssertStatus(HttpStatusCode.OK).Json!["rows"]!.AsArray();
        Assert.Equal("new", rows[0]!["status"]!.GetValue<string>());
        Assert.Equal("error", rows[1]!["status"]!.GetValue<string>());
        Assert.NotNull(rows[1]!["errors"]!["村/社区"]);

        var director = await County.As("director-a1");
        (await director.PostBytesAsync(Import, Utf8(csv), "text/csv")).AssertProblem(HttpStatusCode.Forbidden);
        (await director.GetAsync($"{Import}/template")).AssertProblem(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task TheTemplateHasTheHeadersTheImportReads()
    {
        var civil = await County.As("civil");
        foreach (var (format, type) in new[] { ("xlsx", Xlsx), ("csv", "text/csv") })
        {
            using var response = await civil.Http.GetAsync($"{Import}/template?format={format}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var template = await response.Content.ReadAsByteArrayAsync();
            // Read back by the import itself: the headers are accepted; the invented example's village is not this county's.
            var row = Assert.Single((await civil.PostBytesAsync(Import, template, type)).AssertStatus(HttpStatusCode.OK).Json!["rows"]!.AsArray())!;
            Assert.Equal("李小花", row["name"]!.GetValue<string>());
            Assert.Equal(["村/社区"], row["errors"]!.AsObject().Select(e => e.Key));
        }
        (await civil.GetAsync($"{Import}/template?format=pdf")).AssertFieldErrors("format");
    }
}
