using System.Net;
using System.Text;
using MiniExcelLibs;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Users;

public sealed class AccountImportTestsOnSqlite(SqliteApp app) : AccountImportTests(app), IClassFixture<SqliteApp>;

public sealed class AccountImportTestsOnPostgres(PostgresApp app) : AccountImportTests(app), IClassFixture<PostgresApp>;

/// <summary>
/// The county's staff list becomes accounts (issue 16, point 2): checked row by row, written all or none, each new
/// account with a one-time password shown once; the same list twice changes nothing; CSV in UTF-8 or GB18030, or .xlsx.
/// </summary>
public abstract class AccountImportTests(TongxinApp app) : IAsyncLifetime
{
    private const string Import = "/api/users/import";
    private const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    private TestCounty County { get; set; } = null!;

    public async Task InitializeAsync() => County = await TestCounty.CreateAsync(app);

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Mobile numbers of this test only (the user name is the number, unique in the whole database).</summary>
    private static string Phone() => "13" + Random.Shared.NextInt64(100_000_000, 999_999_999);

    private static byte[] Utf8(string csv) => Encoding.UTF8.GetBytes(csv);

    [Fact]
    public async Task ADryRunSaysWhatEachRowWouldDoAndWritesNothing()
    {
        var (director, supervisor) = (Phone(), Phone());
        var other = await TestCounty.CreateAsync(app);
        var csv = "姓名,手机号,村/社区或乡镇\n"
            + $"王芳,{director},{County.VillageA1}\n"
            + $"李强,{supervisor},乙镇\n"
            + "赵六,12345,甲一村\n"
            + $"钱七,{Phone()},不存在村\n"
            + $"孙八,{Phone()},{other.VillageA1}\n";
        var civil = await County.As("civil");

        var check = (await civil.PostBytesAsync($"{Import}?dryRun=true", Utf8(csv), "text/csv")).AssertStatus(HttpStatusCode.OK);
        var rows = check.Json!["rows"]!.AsArray();
        Assert.Equal(["new", "new", "error", "error", "error"], rows.Select(r => r!["status"]!.GetValue<string>()));
        Assert.Equal("child-director", rows[0]!["role"]!.GetValue<string>());
        Assert.Equal("supervisor", rows[1]!["role"]!.GetValue<string>());
        Assert.Equal(County.TownB, rows[1]!["regionCode"]!.GetValue<string>());
        Assert.Contains("11 位", rows[2]!["errors"]!["手机号"]![0]!.GetValue<string>());
        Assert.NotNull(rows[3]!["errors"]!["村/社区或乡镇"]);
        Assert.NotNull(rows[4]!["errors"]!["村/社区或乡镇"]); // another county's village is not the importer's
        Assert.Equal(5, rows[3]!["row"]!.GetValue<int>()); // the header is row 1, as Excel numbers them
        Assert.All(rows, r => Assert.Null(r!["temporaryPassword"]));

        var listed = (await civil.GetAsync($"/api/users?q={director}")).AssertStatus(HttpStatusCode.OK);
        Assert.Equal(0, listed.Get<int>("total"));
    }

    [Fact]
    public async Task AnImportWritesEveryRowOrNoneAndEachNewAccountMustChangeItsPassword()
    {
        var (director, supervisor) = (Phone(), Phone());
        var civil = await County.As("civil");
        var bad = $"姓名,手机号,村/社区或乡镇,角色\n王芳,{director},{County.VillageA1},儿童主任\n李强,{supervisor},{County.TownB},校长\n";

        var refused = (await civil.PostBytesAsync($"{Import}?dryRun=false", Utf8(bad), "text/csv")).AssertProblem((HttpStatusCode)422);
        Assert.Contains("row 3.角色", refused.Json!["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(0, (await civil.GetAsync($"/api/users?q={director}")).Get<int>("total"));

        var good = bad.Replace("校长", "督导员");
        var imported = (await civil.PostBytesAsync($"{Import}?dryRun=false", Utf8(good), "text/csv")).AssertStatus(HttpStatusCode.OK);
        Assert.Equal(2, imported.Get<int>("new"));
        var first = imported.Json!["rows"]![0]!;
        var password = first["temporaryPassword"]!.GetValue<string>();
        Assert.Equal(director, first["userName"]!.GetValue<string>());

        // The new director signs in with the number and the one-time password, and must change it first.
        var newcomer = await app.LoginAsync(director, password);
        Assert.True((await newcomer.GetAsync("/api/me")).AssertStatus(HttpStatusCode.OK).Get<bool>("mustChangePassword"));
        (await newcomer.GetAsync("/api/children")).AssertProblem(HttpStatusCode.Forbidden);

        // The same list again: nothing new, nothing changed, no password shown.
        var again = (await civil.PostBytesAsync($"{Import}?dryRun=false", Utf8(good), "text/csv")).AssertStatus(HttpStatusCode.OK);
        Assert.Equal(0, again.Get<int>("new"));
        Assert.Equal(2, again.Get<int>("existing"));
        Assert.All(again.Json!["rows"]!.AsArray(), r => Assert.Null(r!["temporaryPassword"]));
        (await newcomer.GetAsync("/api/me")).AssertStatus(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AGb18030CsvAndAnXlsxAreReadAlike()
    {
        var civil = await County.As("civil");
        System.Text.Encoding.RegisterProvider(System.Text.CodePagesEncodingProvider.Instance);
        var gbk = Encoding.GetEncoding("GB18030").GetBytes($"姓名,手机号,村/社区或乡镇\n周丽,{Phone()},甲二村\n");
        var fromCsv = (await civil.PostBytesAsync(Import, gbk, "text/csv")).AssertStatus(HttpStatusCode.OK);
        Assert.Equal("周丽", fromCsv.Json!["rows"]![0]!["name"]!.GetValue<string>());
        Assert.Equal(County.VillageA2, fromCsv.Json!["rows"]![0]!["regionCode"]!.GetValue<string>());

        using var sheet = new MemoryStream();
        var phone = Phone();
        sheet.SaveAs(new[] { new Dictionary<string, object> { ["姓名"] = "吴刚", ["手机号"] = long.Parse(phone), ["村/社区或乡镇"] = County.VillageB1 } }, excelType: ExcelType.XLSX);
        var fromXlsx = (await civil.PostBytesAsync(Import, sheet.ToArray(), Xlsx)).AssertStatus(HttpStatusCode.OK);
        var row = fromXlsx.Json!["rows"]![0]!;
        Assert.Equal("new", row["status"]!.GetValue<string>());
        Assert.Equal(phone, row["phone"]!.GetValue<string>()); // a number cell stays the whole number
    }

    [Fact]
    public async Task UnknownHeadersAndFilesThatAreNotSheetsAnswer400AndChangeNothing()
    {
        var civil = await County.As("civil");
        var unknown = (await civil.PostBytesAsync(Import, Utf8($"姓名,电话号码呀,村/社区或乡镇\n王芳,{Phone()},甲一村\n"), "text/csv")).AssertFieldErrors("headers");
        Assert.Contains("电话号码呀", unknown.Body);
        Assert.Contains("手机号", unknown.Body);

        (await civil.PostBytesAsync(Import, [], "text/csv")).AssertFieldErrors("file");
        (await civil.PostBytesAsync(Import, Utf8("姓名,手机号,村/社区或乡镇\n"), "text/csv")).AssertFieldErrors("file");
        (await civil.PostBytesAsync(Import, [0x50, 0x4B, 0x03, 0x04, 1, 2, 3, 4, 5], Xlsx)).AssertFieldErrors("file");
        (await civil.PostBytesAsync(Import, [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], Xlsx)).AssertFieldErrors("file");
        (await civil.PostAsync(Import, new { })).AssertProblem(HttpStatusCode.UnsupportedMediaType);
        (await (await County.As("director-a1")).PostBytesAsync(Import, Utf8("姓名,手机号,村/社区或乡镇\n"), "text/csv")).AssertProblem(HttpStatusCode.Forbidden);
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
            var check = (await civil.PostBytesAsync(Import, template, type)).AssertStatus(HttpStatusCode.OK);
            var row = Assert.Single(check.Json!["rows"]!.AsArray())!;
            Assert.Equal("王芳", row["name"]!.GetValue<string>());
            Assert.NotNull(row["errors"]!["村/社区或乡镇"]);
        }
        (await civil.GetAsync($"{Import}/template?format=pdf")).AssertFieldErrors("format");
    }
}
