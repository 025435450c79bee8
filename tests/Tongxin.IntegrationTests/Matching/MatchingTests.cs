using System.Net;
using Tongxin.IntegrationTests.Infrastructure;
using Xunit;

namespace Tongxin.IntegrationTests.Matching;

public sealed class MatchingTestsOnSqlite(SqliteMatchingApp app) : MatchingTests(app), IClassFixture<SqliteMatchingApp>;

public sealed class MatchingTestsOnPostgres(PostgresMatchingApp app) : MatchingTests(app), IClassFixture<PostgresMatchingApp>;

/// <summary>
/// A child director asks for help, the matcher offers the right provider with its reasons, the
/// provider accepts, a pairing begins — and every rule of the four lines holds on the way.
/// </summary>
public abstract class MatchingTests(MatchingApp app)
{
    private static readonly object CaringMotherNeed = new { supportKinds = new[] { "emotional-comfort", "daily-life" } };

    private static object CaringMother() => new Dictionary<string, object> { ["caring-mother"] = new { supportKinds = new[] { "emotional-comfort", "daily-life" } } };

    private static object Tutoring(string[] modes) => new Dictionary<string, object>
    {
        ["tutoring"] = new { subjects = new[] { "maths", "chinese" }, gradeMin = 1, gradeMax = 6, modes },
    };

    private static object TutoringNeed(string mode) => new { subject = "maths", grade = 4, schedule = new[] { "weekday-afternoon" }, mode };

    [Fact]
    public async Task ACaringMotherIsOfferedAcceptsAndTheDirectorSeesThePairing()
    {
        var county = await TestCounty.CreateAsync(app);
        var child = await county.ChildAsync("director-a1", county.VillageA1, gender: "female", risk: "high");
        var need = await county.NeedAsync("director-a1", child, "caring-mother", CaringMotherNeed);
        var (volunteerId, volunteer) = await county.VolunteerAsync("mother", "female", county.VillageA1, ["caring-mother"], CaringMother());

        var batch = (await county.RunMatchingAsync("caring-mother")).Array.Single()!;
        Assert.Equal(1, batch["offersMade"]!.GetValue<int>());

        var offers = (await volunteer.GetAsync("/api/offers?mine=true")).AssertStatus(HttpStatusCode.OK).Array;
        var offer = Assert.Single(offers)!;
        Assert.Equal(need, offer["needId"]!.GetValue<string>());
        // The director sees every reason, the risk and priority group included ...
        var staffReasons = (await county.NeedStatusAsync("director-a1", need)).Json!["offers"]![0]!["reasons"]!.AsArray().Select(r => r!["code"]!.GetValue<string>()).ToList();
        Assert.Contains("priority.risk-high", staffReasons);
        Assert.Contains("priority.group", staffReasons); // a left-behind girl
        Assert.Contains("distance.same-village", staffReasons);
        // ... the volunteer the reasons that are theirs to know, and a score that adds up to them.
        var reasons = offer["reasons"]!.AsArray().Select(r => r!["code"]!.GetValue<string>()).ToList();
        Assert.Contains("distance.same-village", reasons);
        Assert.DoesNotContain(reasons, r => r.StartsWith("priority.risk", StringComparison.Ordinal) || r == "priority.group");
        Assert.Equal(offer["score"]!.GetValue<int>(), offer["reasons"]!.AsArray().Sum(r => r!["points"]!.GetValue<int>()));
        // The volunteer learns what the pairing needs, and nothing more.
        Assert.Equal("小芳", offer["child"]!["givenName"]!.GetValue<string>());
        Assert.Equal(10, offer["child"]!["age"]!.GetValue<int>());
        ApiResponse.AssertNothingOf(offer, "张", "familyName", "birthDate", "guardianSituation", "父母均在外务工", "riskLevel");

        var pairingId = (await volunteer.PostAsync($"/api/offers/{offer["id"]}/accept", new { })).AssertStatus(HttpStatusCode.OK).Get<string>("pairingId");
        var status = await county.NeedStatusAsync("director-a1", need);
        Assert.Equal("matched", status.Get<string>("status"));
        Assert.Equal(pairingId, status.Get<string>("pairingId"));
        Assert.Equal("mother", status.Get<string>("matchedProviderName"));

        var pairing = (await volunteer.GetAsync($"/api/pairings/{pairingId}")).AssertStatus(HttpStatusCode.OK);
        Assert.Equal("active", pairing.Get<string>("status"));
        ApiResponse.AssertNothingOf(pairing.Json, "张", "familyName", "birthDate", "guardianSituation", "父母均在外务工", "riskLevel");
        (await (await county.As("director-a1")).GetAsync($"/api/pairings/{pairingId}")).AssertStatus(HttpStatusCode.OK);
        (await (await county.As("director-b1")).GetAsync($"/api/pairings/{pairingId}")).AssertProblem(HttpStatusCode.NotFound);
        // A volunteer still has no access to the file itself.
        (await volunteer.GetAsync($"/api/children/{child}")).AssertProblem(HttpStatusCode.Forbidden);
        Assert.Equal(volunteerId, pairing.Get<string>("providerId"));
    }

    [Fact]
    public async Task AManIsNeverOfferedACaringMotherPairing()
    {
        var county = await TestCounty.CreateAsync(app);
        var child = await county.ChildAsync("director-a1", county.VillageA1);
        var need = await county.NeedAsync("director-a1", child, "caring-mother", CaringMotherNeed);
        var (_, man) = await county.VolunteerAsync("uncle", "male", county.VillageA1, ["caring-mother"], CaringMother());

        await county.RunMatchingAsync("caring-mother");
        Assert.Empty((await man.GetAsync("/api/offers?mine=true")).Array);
        Assert.Equal("open", (await county.NeedStatusAsync("director-a1", need)).Get<string>("status"));
    }

    [Fact]
    public async Task UnvettedAndExpiredVettingVolunteersGetNoOfferButAVettedOneDoes()
    {
        var county = await TestCounty.CreateAsync(app);
        var child = await county.ChildAsync("director-a1", county.VillageA1);
        var need = await county.NeedAsync("director-a1", child, "caring-mother", CaringMotherNeed);
        var (_, unvetted) = await county.VolunteerAsync("new", "female", county.VillageA1, ["caring-mother"], CaringMother(), vetted: false);
        var (_, expired) = await county.VolunteerAsync("lapsed", "female", county.VillageA1, ["caring-mother"], CaringMother(),
            vettingExpires: DateTime.UtcNow.AddDays(-1));

        await county.RunMatchingAsync("caring-mother");
        Assert.Empty((await unvetted.GetAsync("/api/offers?mine=true")).Array);
        Assert.Empty((await expired.GetAsync("/api/offers?mine=true")).Array);
        Assert.Equal("open", (await county.NeedStatusAsync("director-a1", need)).Get<string>("status"));

        var (_, vetted) = await county.VolunteerAsync("checked", "female", county.TownA, ["caring-mother"], CaringMother());
        await county.RunMatchingAsync("caring-mother");
        Assert.Single((await vetted.GetAsync("/api/offers?mine=true")).Array);
    }

    [Fact]
    public async Task AFullVolunteerGetsNoFurtherOffer()
    {
        var county = await TestCounty.CreateAsync(app);
        var (_, volunteer) = await county.VolunteerAsync("one-child", "female", county.VillageA1, ["caring-mother"], CaringMother(), capacity: 1);
        var first = await county.NeedAsync("director-a1", await county.ChildAsync("director-a1", county.VillageA1, risk: "high"), "caring-mother", CaringMotherNeed);
        var second = await county.NeedAsync("director-a1", await county.ChildAsync("director-a1", county.VillageA1, risk: "low"), "caring-mother", CaringMotherNeed);

        await county.RunMatchingAsync("caring-mother");
        var offer = Assert.Single((await volunteer.GetAsync("/api/offers?mine=true")).Array)!;
        Assert.Equal(first, offer["needId"]!.GetValue<string>()); // the high-risk child first
        (await volunteer.PostAsync($"/api/offers/{offer["id"]}/accept", new { })).AssertStatus(HttpStatusCode.OK);

        await county.RunMatchingAsync("caring-mother");
        Assert.Single((await volunteer.GetAsync("/api/offers?mine=true")).Array);
        Assert.Equal("open", (await county.NeedStatusAsync("director-a1", second)).Get<string>("status"));
    }

    [Fact]
    public async Task AProgrammeNeverPlacesMoreChildrenThanSeatsAndTheRestWait()
    {
        var county = await TestCounty.CreateAsync(app);
        var owner = await county.As("fulian");
        var programme = (await owner.PostAsync("/api/programmes", new
        {
            line = "holiday-activities",
            title = "七彩假期·防溺水夏令营",
            regionCodes = new[] { county.TownA },
            seats = 3,
            startsOn = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(10)).ToString("yyyy-MM-dd"),
            endsOn = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(20)).ToString("yyyy-MM-dd"),
            ageMin = 6,
            ageMax = 14,
            fundingSource = "团县委专项",
            details = new { activities = new[] { "safety-education", "sport" }, period = "summer" },
        })).AssertStatus(HttpStatusCode.Created).Id;
        var needs = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var child = await county.ChildAsync("director-a1", county.VillageA1, age: 8 + i % 3);
            needs.Add(await county.NeedAsync("director-a1", child, "holiday-activities", new { interests = new[] { "sport" }, period = "summer" }));
        }
        // A child in the other town is outside the programme's regions.
        var outside = await county.NeedAsync("director-b1", await county.ChildAsync("director-b1", county.VillageB1), "holiday-activities",
            new { interests = new[] { "sport" }, period = "summer" });

        await county.RunMatchingAsync("holiday-activities");
        var offers = (await owner.GetAsync("/api/offers?mine=true")).Array;
        Assert.Equal(3, offers.Count);
        foreach (var offer in offers)
        {
            (await owner.PostAsync($"/api/offers/{offer!["id"]}/accept", new { })).AssertStatus(HttpStatusCode.OK);
        }
        await county.RunMatchingAsync("holiday-activities");
        var listed = (await owner.GetAsync("/api/programmes?line=holiday-activities")).Array.Single(p => p!["id"]!.GetValue<string>() == programme)!;
        Assert.Equal(3, listed["seatsTaken"]!.GetValue<int>());
        Assert.Equal(2, listed["waiting"]!.GetValue<int>());
        Assert.False(listed["open"]!.GetValue<bool>());
        var statuses = new List<string>();
        foreach (var need in needs)
        {
            statuses.Add((await county.NeedStatusAsync("director-a1", need)).Get<string>("status"));
        }
        Assert.Equal(3, statuses.Count(s => s == "matched"));
        Assert.Equal(2, statuses.Count(s => s == "open"));
        Assert.Equal("open", (await county.NeedStatusAsync("director-b1", outside)).Get<string>("status"));
    }

    [Fact]
    public async Task TutoringInPersonStaysInTheTownWhileOnlineReachesTheCounty()
    {
        var county = await TestCounty.CreateAsync(app);
        var (_, tutorB) = await county.VolunteerAsync("tutor-b", "male", county.VillageB1, ["tutoring"], Tutoring(["in-person", "online"]));
        var inPerson = await county.NeedAsync("director-a1", await county.ChildAsync("director-a1", county.VillageA1), "tutoring", TutoringNeed("in-person"));
        var online = await county.NeedAsync("director-a1", await county.ChildAsync("director-a1", county.VillageA1), "tutoring", TutoringNeed("online"));

        await county.RunMatchingAsync("tutoring");
        var offers = (await tutorB.GetAsync("/api/offers?mine=true")).Array;
        Assert.Equal([online], offers.Select(o => o!["needId"]!.GetValue<string>()));
        Assert.Equal("open", (await county.NeedStatusAsync("director-a1", inPerson)).Get<string>("status"));
    }

    [Fact]
    public async Task CounsellingGoesOnlyToTheQualifiedAndUrgentNeedsComeFirst()
    {
        var county = await TestCounty.CreateAsync(app);
        // Someone without a counselling qualification cannot offer counselling at all.
        (await (await county.As("fulian")).PostAsync("/api/volunteers", new
        {
            displayName = "热心邻居", gender = "female", regionCode = county.TownA, lines = new[] { "counselling" },
            skills = new Dictionary<string, object> { ["counselling"] = new { qualifications = Array.Empty<string>(), modes = new[] { "phone" } } },
        })).AssertFieldErrors("skills.counselling.qualifications");
        var (_, counsellor) = await county.VolunteerAsync("counsellor", "female", county.TownA, ["counselling"],
            new Dictionary<string, object> { ["counselling"] = new { qualifications = new[] { "psychological-counsellor" }, modes = new[] { "phone", "in-person" } } }, capacity: 1);
        var normal = await county.NeedAsync("director-a1", await county.ChildAsync("director-a1", county.VillageA1, risk: "low"), "counselling",
            new { reasonCategory = "emotional", mode = "phone" });
        var urgent = await county.NeedAsync("director-a1", await county.ChildAsync("director-a1", county.VillageA1, risk: "low"), "counselling",
            new { reasonCategory = "bereavement", mode = "phone" }, urgency: "urgent");

        await county.RunMatchingAsync("counselling");
        var offer = Assert.Single((await counsellor.GetAsync("/api/offers?mine=true")).Array)!;
        Assert.Equal(urgent, offer["needId"]!.GetValue<string>());
        Assert.Equal("open", (await county.NeedStatusAsync("director-a1", normal)).Get<string>("status"));
    }

    [Fact]
    public async Task AChildKeepsTheSameCounsellorWhenOneExists()
    {
        var county = await TestCounty.CreateAsync(app);
        var counselling = new Dictionary<string, object> { ["counselling"] = new { qualifications = new[] { "social-worker" }, modes = new[] { "phone" } } };
        var (_, familiar) = await county.VolunteerAsync("familiar", "female", county.VillageA2, ["counselling"], counselling);
        var child = await county.ChildAsync("director-a1", county.VillageA1);
        await county.NeedAsync("director-a1", child, "counselling", new { reasonCategory = "emotional", mode = "phone" });
        await county.RunMatchingAsync("counselling");
        var first = Assert.Single((await familiar.GetAsync("/api/offers?mine=true")).Array)!;
        var pairing = (await familiar.PostAsync($"/api/offers/{first["id"]}/accept", new { })).AssertStatus(HttpStatusCode.OK).Get<string>("pairingId");
        (await familiar.PostAsync($"/api/pairings/{pairing}/end", new { reason = "阶段性辅导结束" })).AssertStatus(HttpStatusCode.OK);

        // Months later the child needs counselling again; a counsellor in the child's own village has appeared.
        var (_, nearer) = await county.VolunteerAsync("nearer", "female", county.VillageA1, ["counselling"], counselling);
        var again = await county.NeedAsync("director-a1", child, "counselling", new { reasonCategory = "family-conflict", mode = "phone" });
        await county.RunMatchingAsync("counselling");
        var offer = Assert.Single((await familiar.GetAsync("/api/offers?mine=true&status=pending")).Array)!;
        Assert.Equal(again, offer["needId"]!.GetValue<string>());
        Assert.Contains(offer["reasons"]!.AsArray(), r => r!["code"]!.GetValue<string>() == "counselling.continuity");
        Assert.Empty((await nearer.GetAsync("/api/offers?mine=true")).Array);
    }

    [Fact]
    public async Task ADeclinedNeedGoesBackToMatchingButNotToTheSameProvider()
    {
        var county = await TestCounty.CreateAsync(app);
        var need = await county.NeedAsync("director-a1", await county.ChildAsync("director-a1", county.VillageA1), "caring-mother", CaringMotherNeed);
        var (_, first) = await county.VolunteerAsync("first", "female", county.VillageA1, ["caring-mother"], CaringMother());
        await county.RunMatchingAsync("caring-mother");
        var offer = Assert.Single((await first.GetAsync("/api/offers?mine=true")).Array)!;

        (await first.PostAsync($"/api/offers/{offer["id"]}/decline", new { })).AssertFieldErrors("reason");
        (await first.PostAsync($"/api/offers/{offer["id"]}/decline", new { reason = "本月外出务工" })).AssertStatus(HttpStatusCode.OK);
        Assert.Equal("open", (await county.NeedStatusAsync("director-a1", need)).Get<string>("status"));
        (await first.PostAsync($"/api/offers/{offer["id"]}/accept", new { })).AssertProblem(HttpStatusCode.Conflict);

        var (_, second) = await county.VolunteerAsync("second", "female", county.VillageB1, ["caring-mother"], CaringMother());
        await county.RunMatchingAsync("caring-mother");
        Assert.Empty((await first.GetAsync("/api/offers?mine=true&status=pending")).Array);
        Assert.Equal(need, Assert.Single((await second.GetAsync("/api/offers?mine=true")).Array)!["needId"]!.GetValue<string>());
    }

    [Fact]
    public async Task AcceptingTwiceIsHarmlessAndEndingAPairingFreesCapacity()
    {
        var county = await TestCounty.CreateAsync(app);
        var (volunteerId, volunteer) = await county.VolunteerAsync("steady", "female", county.VillageA1, ["caring-mother"], CaringMother(), capacity: 1);
        var first = await county.NeedAsync("director-a1", await county.ChildAsync("director-a1", county.VillageA1, risk: "high"), "caring-mother", CaringMotherNeed);
        var second = await county.NeedAsync("director-a1", await county.ChildAsync("director-a1", county.VillageA1, risk: "low"), "caring-mother", CaringMotherNeed);
        await county.RunMatchingAsync("caring-mother");
        var offer = Assert.Single((await volunteer.GetAsync("/api/offers?mine=true")).Array)!;

        var pairing = (await volunteer.PostAsync($"/api/offers/{offer["id"]}/accept", new { })).AssertStatus(HttpStatusCode.OK).Get<string>("pairingId");
        var again = (await volunteer.PostAsync($"/api/offers/{offer["id"]}/accept", new { })).AssertStatus(HttpStatusCode.OK).Get<string>("pairingId");
        Assert.Equal(pairing, again);
        Assert.Equal(1, (await volunteer.GetAsync($"/api/volunteers/{volunteerId}")).Get<int>("committed"));

        (await volunteer.PostAsync($"/api/pairings/{pairing}/sessions", new { at = DateTime.UtcNow.AddHours(-1), minutes = 90, notes = "一起包饺子，聊学校的事" }))
            .AssertStatus(HttpStatusCode.Created);
        (await volunteer.PostAsync($"/api/pairings/{pairing}/sessions", new { at = DateTime.UtcNow.AddDays(2), minutes = 0, notes = "" }))
            .AssertFieldErrors("at", "minutes");
        (await volunteer.PostAsync($"/api/pairings/{pairing}/end", new { reason = "志愿者搬家到外县" })).AssertStatus(HttpStatusCode.OK);
        Assert.Equal(0, (await volunteer.GetAsync($"/api/volunteers/{volunteerId}")).Get<int>("committed"));
        Assert.Equal("closed", (await county.NeedStatusAsync("director-a1", first)).Get<string>("status"));
        (await volunteer.PostAsync($"/api/pairings/{pairing}/end", new { reason = "again" })).AssertProblem(HttpStatusCode.Conflict);

        await county.RunMatchingAsync("caring-mother");
        var pending = (await volunteer.GetAsync("/api/offers?mine=true&status=pending")).Array;
        Assert.Equal(second, Assert.Single(pending)!["needId"]!.GetValue<string>());
    }

    [Fact]
    public async Task AnUnansweredOfferExpiresAndTheNeedGoesToSomeoneElse()
    {
        var county = await TestCounty.CreateAsync(app);
        var need = await county.NeedAsync("director-a1", await county.ChildAsync("director-a1", county.VillageA1), "caring-mother", CaringMotherNeed);
        var (_, silent) = await county.VolunteerAsync("silent", "female", county.VillageA1, ["caring-mother"], CaringMother());
        await county.RunMatchingAsync("caring-mother");
        var offer = Assert.Single((await silent.GetAsync("/api/offers?mine=true")).Array)!;
        await county.VolunteerAsync("other", "female", county.VillageB1, ["caring-mother"], CaringMother());

        app.Clock.Advance(TimeSpan.FromDays(8));
        try
        {
            var batch = (await county.RunMatchingAsync("caring-mother")).Array.Single()!;
            Assert.Equal(1, batch["offersExpired"]!.GetValue<int>());
            // Tokens expire with the moved clock too: sign in again, as people would a week later.
            (await (await county.As("silent")).PostAsync($"/api/offers/{offer["id"]}/accept", new { })).AssertProblem(HttpStatusCode.Conflict);
            Assert.Equal(need, Assert.Single((await (await county.As("other")).GetAsync("/api/offers?mine=true")).Array)!["needId"]!.GetValue<string>());
            var reasons = (await county.NeedStatusAsync("director-a1", need)).Json!["offers"]!.AsArray();
            Assert.Contains(reasons, o => o!["status"]!.GetValue<string>() == "expired");
        }
        finally
        {
            app.Clock.Reset();
        }
    }

    [Fact]
    public async Task ANeedWithoutGuardianConsentIsRefusedWith422()
    {
        var county = await TestCounty.CreateAsync(app);
        var child = await county.ChildAsync("director-a1", county.VillageA1, consent: false);
        var response = await (await county.As("director-a1")).PostAsync($"/api/children/{child}/needs",
            new { line = "caring-mother", details = CaringMotherNeed, urgency = "normal" });
        response.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(response.Json!["errors"]!["guardianConsent"]);
    }

    [Fact]
    public async Task BadNeedsAreRefusedNamingTheField()
    {
        var county = await TestCounty.CreateAsync(app);
        var child = await county.ChildAsync("director-a1", county.VillageA1);
        var director = await county.As("director-a1");
        (await director.PostAsync($"/api/children/{child}/needs", new { line = "tutoring", details = new { subject = "maths", grade = 13, schedule = new[] { "weekday-afternoon" }, mode = "online" }, urgency = "normal" }))
            .AssertFieldErrors("details.grade");
        (await director.PostAsync($"/api/children/{child}/needs", new { line = "knitting", details = new { }, urgency = "normal" }))
            .AssertFieldErrors("line");
        (await director.PostAsync($"/api/children/{child}/needs", new { line = "tutoring", details = TutoringNeed("online"), urgency = "soon" }))
            .AssertFieldErrors("urgency");
        (await director.PostAsync($"/api/children/{child}/needs", new { line = "counselling", details = new { mode = "phone" } }))
            .AssertFieldErrors("urgency", "details.reasonCategory");
        (await (await county.As("director-b1")).PostAsync($"/api/children/{child}/needs", new { line = "tutoring", details = TutoringNeed("online"), urgency = "normal" }))
            .AssertProblem(HttpStatusCode.NotFound);
        Assert.Empty((await director.GetAsync($"/api/needs?regionCode={county.VillageA1}")).Array);
    }

    [Fact]
    public async Task BadVolunteersAndVettingAreRefusedNamingTheField()
    {
        var county = await TestCounty.CreateAsync(app);
        var owner = await county.As("fulian");
        (await owner.PostAsync("/api/volunteers", new { displayName = "王", gender = "female", regionCode = county.VillageA1, lines = new[] { "knitting" }, capacity = 2 }))
            .AssertFieldErrors("lines");
        (await owner.PostAsync("/api/volunteers", new
        {
            displayName = "王", gender = "female", regionCode = county.VillageA1, lines = new[] { "tutoring" }, capacity = 99,
            skills = new Dictionary<string, object> { ["tutoring"] = new { subjects = new[] { "maths" }, gradeMin = 6, gradeMax = 2, modes = new[] { "online" } } },
        })).AssertFieldErrors("capacity", "skills.tutoring.gradeMax");
        (await owner.PostAsync("/api/volunteers", new
        {
            displayName = "王", gender = "female", regionCode = county.VillageA1, lines = new[] { "tutoring" },
            skills = new Dictionary<string, object> { ["tutoring"] = new { subjects = new[] { "maths" }, gradeMin = 6, gradeMax = 2, modes = new[] { "online" } } },
        })).AssertFieldErrors("skills.tutoring.gradeMax");
        var id = (await owner.PostAsync("/api/volunteers", new
        {
            displayName = "王", gender = "female", regionCode = county.VillageA1, lines = new[] { "caring-mother" }, skills = CaringMother(),
        })).AssertStatus(HttpStatusCode.Created).Id;
        (await owner.PutAsync($"/api/volunteers/{id}/vetting", new { status = "passed", checkedAt = DateTime.UtcNow, expiresAt = DateTime.UtcNow.AddDays(-1), reference = "x" }))
            .AssertFieldErrors("expiresAt");
        (await owner.PutAsync($"/api/volunteers/{id}/vetting", new { status = "passed", checkedAt = DateTime.UtcNow, expiresAt = DateTime.UtcNow.AddYears(1), reference = "PSB-1" }))
            .AssertStatus(HttpStatusCode.OK);
        Assert.Equal(1, (await owner.GetAsync($"/api/volunteers/{id}")).Get<int>("capacity")); // a Caring Mother: one child at a time (the line's rule)
        // Another organisation's staff cannot vouch for this volunteer.
        await county.UserAsync("other-org", "social-work-org", county.Code, (await (await app.AdminAsync()).PostAsync("/api/organisations",
            new { name = "社工", kind = "social-work-org", regionCode = county.Code })).Id);
        (await (await county.As("other-org")).PutAsync($"/api/volunteers/{id}/vetting", new { status = "failed", checkedAt = DateTime.UtcNow, expiresAt = DateTime.UtcNow.AddYears(1), reference = "x" }))
            .AssertProblem(HttpStatusCode.Forbidden);
    }
}
