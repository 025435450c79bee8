using System.Net;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Children;

public sealed class ChildFileTestsOnSqlite(SqliteCounty app) : ChildFileTests(app), IClassFixture<SqliteCounty>;

public sealed class ChildFileTestsOnPostgres(PostgresCounty app) : ChildFileTests(app), IClassFixture<PostgresCounty>;

/// <summary>The child's file (一人一档): create, read, list, update with a version, contact log, validation.</summary>
public abstract class ChildFileTests(CountyApp app)
{
    private async Task<string> CreateChildAsync(Api director, string village, Action<Dictionary<string, object?>>? change = null)
    {
        var body = SampleCounty.ChildBody(village);
        change?.Invoke(body);
        var created = (await director.PostAsync("/api/children", body)).AssertStatus(HttpStatusCode.Created);
        Assert.Equal(1, created.Get<int>("version"));
        return created.Id;
    }

    private async Task<int> CountyTotalAsync()
    {
        var civil = await app.As("civil");
        return (await civil.GetAsync("/api/children?pageSize=1")).AssertStatus(HttpStatusCode.OK).Get<int>("total");
    }

    [Fact]
    public async Task DirectorCreatesAndReadsAFileOfTheirVillage()
    {
        var director = await app.As("director-a1");
        var id = await CreateChildAsync(director, SampleCounty.VillageA1);

        var file = (await director.GetAsync($"/api/children/{id}")).AssertStatus(HttpStatusCode.OK);
        Assert.Equal("小芳", file.Get<string>("givenName"));
        Assert.Equal("张", file.Get<string>("familyName"));
        Assert.Equal("female", file.Get<string>("gender"));
        Assert.Equal("left-behind", file.Get<string>("category"));
        Assert.Equal("medium", file.Get<string>("riskLevel"));
        Assert.Equal(10, file.Get<int>("age"));
        Assert.Equal("grandmother", file.Json!["guardianConsent"]!["relation"]!.GetValue<string>());
    }

    [Fact]
    public async Task SupervisorAndCivilAffairsReadFilesBelowThem()
    {
        var id = await CreateChildAsync(await app.As("director-a1"), SampleCounty.VillageA1);
        (await (await app.As("supervisor-a")).GetAsync($"/api/children/{id}")).AssertStatus(HttpStatusCode.OK);
        (await (await app.As("civil")).GetAsync($"/api/children/{id}")).AssertStatus(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AFileOutsideTheCallersRegionDoesNotExistForThem()
    {
        var id = await CreateChildAsync(await app.As("director-a1"), SampleCounty.VillageA1);
        (await (await app.As("director-b1")).GetAsync($"/api/children/{id}")).AssertProblem(HttpStatusCode.NotFound);
        (await (await app.As("director-a2")).GetAsync($"/api/children/{id}")).AssertProblem(HttpStatusCode.NotFound);
        (await (await app.As("supervisor-b")).GetAsync($"/api/children/{id}")).AssertProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ADirectorCannotOpenAFileInAnotherVillage()
    {
        var before = await CountyTotalAsync();
        var director = await app.As("director-b1");
        (await director.PostAsync("/api/children", SampleCounty.ChildBody(SampleCounty.VillageA1))).AssertProblem(HttpStatusCode.Forbidden);
        Assert.Equal(before, await CountyTotalAsync());
    }

    [Fact]
    public async Task RolesWithoutBusinessInFilesAreRefused()
    {
        var id = await CreateChildAsync(await app.As("director-a1"), SampleCounty.VillageA1);
        foreach (var user in new[] { "volunteer", "fulian", "shegong" })
        {
            var api = await app.As(user);
            (await api.GetAsync($"/api/children/{id}")).AssertProblem(HttpStatusCode.Forbidden);
            (await api.GetAsync("/api/children")).AssertProblem(HttpStatusCode.Forbidden);
        }
        (await (await app.AdminAsync()).GetAsync($"/api/children/{id}")).AssertProblem(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task WithoutATokenTheAnswerIs401ProblemJson()
    {
        (await app.Anonymous().GetAsync("/api/children")).AssertProblem(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task MissingFieldsAreAllNamedAndNothingIsWritten()
    {
        var before = await CountyTotalAsync();
        var director = await app.As("director-a1");
        (await director.PostAsync("/api/children", new { givenName = "小芳" }))
            .AssertFieldErrors("familyName", "gender", "birthDate", "villageCode", "category", "guardianSituation", "riskLevel");
        Assert.Equal(before, await CountyTotalAsync());
    }

    [Theory]
    [InlineData("gender", "unknown")]
    [InlineData("category", "orphan")]
    [InlineData("riskLevel", "extreme")]
    [InlineData("riskLevel", 2)]
    [InlineData("birthDate", "2019-13-45")]
    [InlineData("birthDate", "yesterday")]
    public async Task AnUnknownOrMalformedValueIsA400NamingTheField(string field, object value)
    {
        var before = await CountyTotalAsync();
        var body = SampleCounty.ChildBody(SampleCounty.VillageA1);
        body[field] = value;
        (await (await app.As("director-a1")).PostAsync("/api/children", body)).AssertFieldErrors(field);
        Assert.Equal(before, await CountyTotalAsync());
    }

    [Fact]
    public async Task MalformedJsonIsA400WithAClearMessage()
    {
        var response = await (await app.As("director-a1")).PostRawAsync("/api/children", "{\"givenName\": \"小芳\", ");
        response.AssertProblem(HttpStatusCode.BadRequest);
        Assert.NotNull(response.Json!["errors"]);
    }

    [Fact]
    public async Task AnUnknownFieldIsRefusedRatherThanIgnored()
    {
        var body = SampleCounty.ChildBody(SampleCounty.VillageA1);
        body["nickname"] = "芳芳";
        (await (await app.As("director-a1")).PostAsync("/api/children", body)).AssertFieldErrors("nickname");
    }

    [Fact]
    public async Task BirthDatesOutsideChildhoodAreRefused()
    {
        var director = await app.As("director-a1");
        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8));

        var future = SampleCounty.ChildBody(SampleCounty.VillageA1);
        future["birthDate"] = today.AddDays(3).ToString("yyyy-MM-dd");
        (await director.PostAsync("/api/children", future)).AssertFieldErrors("birthDate");

        var adult = SampleCounty.ChildBody(SampleCounty.VillageA1, category: "in-difficulty");
        adult["birthDate"] = today.AddYears(-18).ToString("yyyy-MM-dd");
        (await director.PostAsync("/api/children", adult)).AssertFieldErrors("birthDate");

        // A left-behind child is under 16; at 16 or 17 the file is a child in difficulty.
        (await director.PostAsync("/api/children", SampleCounty.ChildBody(SampleCounty.VillageA1, age: 16))).AssertFieldErrors("birthDate");
        (await director.PostAsync("/api/children", SampleCounty.ChildBody(SampleCounty.VillageA1, age: 16, category: "in-difficulty")))
            .AssertStatus(HttpStatusCode.Created);
    }

    [Fact]
    public async Task AnUnknownVillageIsNamed()
    {
        (await (await app.As("director-a1")).PostAsync("/api/children", SampleCounty.ChildBody("999999")))
            .AssertFieldErrors("villageCode");
    }

    [Fact]
    public async Task ErrorsComeInChineseByDefaultAndInEnglishOnRequest()
    {
        var director = await app.As("director-a1");
        var chinese = await director.PostAsync("/api/children", new { givenName = "小芳" });
        Assert.Equal("必须填写。", chinese.Json!["errors"]!["familyName"]![0]!.GetValue<string>());

        director.Http.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");
        var english = await director.PostAsync("/api/children", new { givenName = "小芳" });
        Assert.Equal("Required.", english.Json!["errors"]!["familyName"]![0]!.GetValue<string>());
        Assert.Equal("The request is not valid", english.Json["title"]!.GetValue<string>());
        var body = SampleCounty.ChildBody(SampleCounty.VillageA1);
        body["gender"] = "x";
        var badEnum = await director.PostAsync("/api/children", body);
        Assert.Equal("Not one of the allowed values: female, male.", badEnum.AssertFieldErrors("gender").Json!["errors"]!["gender"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task AMissingBirthDateAndAnUnknownGenderAreNamedTogetherInChineseOrEnglish()
    {
        var before = await CountyTotalAsync();
        var director = await app.As("director-a1");
        var body = SampleCounty.ChildBody(SampleCounty.VillageA1);
        body.Remove("birthDate");
        body["gender"] = "banana";

        var chinese = (await director.PostAsync("/api/children", body)).AssertFieldErrors("birthDate", "gender");
        Assert.Equal("必须填写。", chinese.Json!["errors"]!["birthDate"]![0]!.GetValue<string>());
        Assert.Equal("不是允许的值，可选：female, male。", chinese.Json["errors"]!["gender"]![0]!.GetValue<string>());
        Assert.Contains("birthDate", chinese.Get<string>("detail"));
        Assert.Contains("gender", chinese.Get<string>("detail"));

        director.Http.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");
        var english = (await director.PostAsync("/api/children", body)).AssertFieldErrors("birthDate", "gender");
        Assert.Equal("Required.", english.Json!["errors"]!["birthDate"]![0]!.GetValue<string>());
        Assert.Equal("Not one of the allowed values: female, male.", english.Json["errors"]!["gender"]![0]!.GetValue<string>());
        Assert.Equal(before, await CountyTotalAsync());
    }

    [Fact]
    public async Task EveryUnreadableFieldNestedOrUnknownIsNamedWithTheValidatorsRefusals()
    {
        var before = await CountyTotalAsync();
        var director = await app.As("director-a1");
        director.Http.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");
        var body = SampleCounty.ChildBody(SampleCounty.VillageA1);
        body["birthDate"] = "2019-02-30";
        body["riskLevel"] = 2;
        body["givenName"] = new string('芳', 200);
        body.Remove("guardianSituation");
        body["nickname"] = "芳芳";
        body["guardianConsent"] = new { by = "张奶奶", relation = "grandmother", recordedAt = "last tuesday" };
        body["priorityGroups"] = new object[] { "disabled", 7 };

        var errors = (await director.PostAsync("/api/children", body))
            .AssertFieldErrors("birthDate", "riskLevel", "givenName", "guardianSituation", "nickname", "guardianConsent.recordedAt", "priorityGroups[1]")
            .Json!["errors"]!;
        Assert.Equal("Not a valid date: expected YYYY-MM-DD, e.g. 2026-03-01.", errors["birthDate"]![0]!.GetValue<string>());
        Assert.Equal("Not one of the allowed values: low, medium, high.", errors["riskLevel"]![0]!.GetValue<string>());
        Assert.Equal("Not a field of this request.", errors["nickname"]![0]!.GetValue<string>());
        Assert.Equal("Not a valid time: expected ISO 8601, e.g. 2026-03-01T08:30:00Z.", errors["guardianConsent.recordedAt"]![0]!.GetValue<string>());
        Assert.Equal("Must be text.", errors["priorityGroups[1]"]![0]!.GetValue<string>());
        Assert.Equal(before, await CountyTotalAsync());
    }

    [Fact]
    public async Task AnUpdateWithTheCurrentVersionSavesAndAStaleOneIs409()
    {
        var director = await app.As("director-a1");
        var id = await CreateChildAsync(director, SampleCounty.VillageA1);

        var update = SampleCounty.ChildBody(SampleCounty.VillageA1);
        update["riskLevel"] = "high";
        update["riskReason"] = "祖母住院，孩子独自在家";
        update["version"] = 1;
        var saved = (await director.PutAsync($"/api/children/{id}", update)).AssertStatus(HttpStatusCode.OK);
        Assert.Equal(2, saved.Get<int>("version"));

        // A second writer who also read version 1 loses, and does not overwrite.
        var stale = SampleCounty.ChildBody(SampleCounty.VillageA1);
        stale["riskLevel"] = "low";
        stale["riskReason"] = "情况好转";
        stale["version"] = 1;
        (await director.PutAsync($"/api/children/{id}", stale)).AssertProblem(HttpStatusCode.Conflict);

        var file = (await director.GetAsync($"/api/children/{id}")).AssertStatus(HttpStatusCode.OK);
        Assert.Equal("high", file.Get<string>("riskLevel"));
        Assert.Equal(2, file.Get<int>("version"));
    }

    [Fact]
    public async Task TheChildsGrainAnswersInTheCallersLanguageAndAuditsEachAttemptOnce()
    {
        var director = await app.As("director-a1");
        var id = await CreateChildAsync(director, SampleCounty.VillageA1);
        var stale = SampleCounty.ChildBody(SampleCounty.VillageA1);
        stale["version"] = 7;

        // The 409 is decided inside the child's grain, which runs outside the HTTP request: the language travels with the call.
        var chinese = (await director.PutAsync($"/api/children/{id}", stale)).AssertProblem(HttpStatusCode.Conflict);
        Assert.Equal("档案已被他人修改，请刷新后再保存。", chinese.Get<string>("detail"));
        director.Http.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");
        var english = (await director.PutAsync($"/api/children/{id}", stale)).AssertProblem(HttpStatusCode.Conflict);
        Assert.Equal("Someone else changed this record; reload it and save again.", english.Get<string>("detail"));

        stale["version"] = 1;
        (await director.PutAsync($"/api/children/{id}", stale)).AssertStatus(HttpStatusCode.OK);

        // The change's row was committed by the grain with the change; the refusals' rows by the pipeline: one each.
        var audit = (await (await app.As("civil")).GetAsync($"/api/audit?childId={id}")).AssertStatus(HttpStatusCode.OK).Array;
        var updates = audit.Where(a => a!["action"]!.GetValue<string>() == "child.update").Select(a => a!["outcome"]!.GetValue<string>()).Order().ToList();
        Assert.Equal(["conflict", "conflict", "done"], updates);
    }

    [Fact]
    public async Task AnUpdateWithoutAVersionIsRefused()
    {
        var director = await app.As("director-a1");
        var id = await CreateChildAsync(director, SampleCounty.VillageA1);
        (await director.PutAsync($"/api/children/{id}", SampleCounty.ChildBody(SampleCounty.VillageA1))).AssertFieldErrors("version");
    }

    [Fact]
    public async Task ContactsAreLoggedAndShowOnTheFile()
    {
        var director = await app.As("director-a1");
        var id = await CreateChildAsync(director, SampleCounty.VillageA1);
        var at = DateTime.UtcNow.AddHours(-2);
        (await director.PostAsync($"/api/children/{id}/contacts", new { kind = "home-visit", at, notes = "家中整洁，祖母身体尚可" }))
            .AssertStatus(HttpStatusCode.Created);
        (await director.PostAsync($"/api/children/{id}/contacts", new { kind = "call", at = DateTime.UtcNow.AddMinutes(-5), notes = "电话询问学习情况" }))
            .AssertStatus(HttpStatusCode.Created);

        var file = (await director.GetAsync($"/api/children/{id}")).AssertStatus(HttpStatusCode.OK);
        Assert.Equal(at, file.Get<DateTime>("lastHomeVisitAt").ToUniversalTime(), TimeSpan.FromMilliseconds(1));
        var contacts = (await director.GetAsync($"/api/children/{id}/contacts")).AssertStatus(HttpStatusCode.OK).Array;
        Assert.Equal(["call", "home-visit"], contacts.Select(c => c!["kind"]!.GetValue<string>()));
    }

    [Fact]
    public async Task AContactInTheFutureOrOfAnUnknownKindIsRefused()
    {
        var director = await app.As("director-a1");
        var id = await CreateChildAsync(director, SampleCounty.VillageA1);
        (await director.PostAsync($"/api/children/{id}/contacts", new { kind = "call", at = DateTime.UtcNow.AddDays(1), notes = "x" }))
            .AssertFieldErrors("at");
        (await director.PostAsync($"/api/children/{id}/contacts", new { kind = "letter", at = DateTime.UtcNow, notes = "x" }))
            .AssertFieldErrors("kind");
        // A bad enum, a bad time and a missing field: one answer names all three.
        var all = (await director.PostRawAsync($"/api/children/{id}/contacts", """{ "kind": "letter", "at": "2026-13-01T08:00:00Z" }"""))
            .AssertFieldErrors("kind", "at", "notes");
        Assert.Equal("不是允许的值，可选：call, home-visit。", all.Json!["errors"]!["kind"]![0]!.GetValue<string>());
        Assert.Equal("不是有效的时间，格式应为 ISO 8601，例如 2026-03-01T08:30:00Z。", all.Json["errors"]!["at"]![0]!.GetValue<string>());
        (await director.GetAsync($"/api/children/{id}/contacts")).AssertStatus(HttpStatusCode.OK);
        Assert.Empty((await director.GetAsync($"/api/children/{id}/contacts")).Array);
    }

    [Fact]
    public async Task ListsArePagedFilteredByRiskAndScopedToTheCallersRegion()
    {
        var directorA1 = await app.As("director-a1");
        var directorB1 = await app.As("director-b1");
        for (var i = 0; i < 3; i++)
        {
            await CreateChildAsync(directorA1, SampleCounty.VillageA1, b => b["riskLevel"] = "high");
        }
        await CreateChildAsync(directorB1, SampleCounty.VillageB1, b => b["riskLevel"] = "high");

        var supervisorA = await app.As("supervisor-a");
        var page = (await supervisorA.GetAsync("/api/children?riskLevel=high&pageSize=2&page=1")).AssertStatus(HttpStatusCode.OK);
        var totalInTownA = page.Get<int>("total");
        Assert.True(totalInTownA >= 3);
        Assert.Equal(2, page.Json!["items"]!.AsArray().Count);
        Assert.All(page.Json["items"]!.AsArray(), item =>
        {
            Assert.Equal("high", item!["riskLevel"]!.GetValue<string>());
            Assert.StartsWith(SampleCounty.TownA, item["villageCode"]!.GetValue<string>());
        });

        // The whole county is the sum of its towns; a town's supervisor cannot ask for the other town.
        var civil = await app.As("civil");
        var county = (await civil.GetAsync("/api/children?riskLevel=high")).Get<int>("total");
        var townB = (await civil.GetAsync($"/api/children?riskLevel=high&regionCode={SampleCounty.TownB}")).Get<int>("total");
        Assert.Equal(county, totalInTownA + townB);
        (await supervisorA.GetAsync($"/api/children?regionCode={SampleCounty.TownB}")).AssertProblem(HttpStatusCode.Forbidden);
        (await supervisorA.GetAsync("/api/children?pageSize=1000")).AssertFieldErrors("pageSize");
        (await supervisorA.GetAsync("/api/children?riskLevel=extreme")).AssertFieldErrors("riskLevel");
    }

    [Fact]
    public async Task EveryReadAndChangeOfAFileIsAudited()
    {
        var director = await app.As("director-a1");
        var id = await CreateChildAsync(director, SampleCounty.VillageA1);
        await director.GetAsync($"/api/children/{id}");
        (await (await app.As("director-b1")).GetAsync($"/api/children/{id}")).AssertStatus(HttpStatusCode.NotFound);
        (await (await app.As("volunteer")).GetAsync($"/api/children/{id}")).AssertStatus(HttpStatusCode.Forbidden);

        var audit = (await (await app.As("civil")).GetAsync($"/api/audit?childId={id}")).AssertStatus(HttpStatusCode.OK).Array;
        var rows = audit.Select(a => (Action: a!["action"]!.GetValue<string>(), Outcome: a["outcome"]!.GetValue<string>(), Role: a["role"]?.GetValue<string>())).ToList();
        Assert.Contains(("child.create", "done", "child-director"), rows);
        Assert.Contains(("child.read", "done", "child-director"), rows);
        Assert.Contains(("child.read", "not-found", "child-director"), rows);
        Assert.Contains(("child.read", "denied", "volunteer"), rows);
        // The audit names the record, never its contents.
        Assert.DoesNotContain("小芳", audit.ToJsonString());
    }
}
