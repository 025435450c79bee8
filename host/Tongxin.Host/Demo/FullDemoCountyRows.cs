using System.Text.Json;
using Tongxin.Host.Children;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;
using Tongxin.Host.Requests;
using Tongxin.Host.Security;
using Tongxin.Modules.Contracts;

namespace Tongxin.Host.Demo;

/// <summary>Every row of the full demo county, made in memory before one insert (<see cref="FullDemoCounty"/>).</summary>
public sealed class FullDemoCountyRows
{
    public List<Region> Regions { get; } = [];
    public List<Organisation> Organisations { get; } = [];
    public List<UserAccount> Users { get; } = [];
    public List<ChildFile> Children { get; } = [];
    public List<ContactRecord> Contacts { get; } = [];
    public List<Provider> Providers { get; } = [];
    public List<Need> Needs { get; } = [];
    public List<Concern> Concerns { get; } = [];
    public List<ConcernStep> ConcernSteps { get; } = [];
    public List<RiskChange> RiskChanges { get; } = [];
    public List<PurchasedServiceContract> Contracts { get; } = [];
    public List<ServiceDelivery> Deliveries { get; } = [];

    /// <summary>Each table's rows, in the order they are inserted (parents before what refers to them).</summary>
    public IReadOnlyList<IReadOnlyList<object>> Tables =>
        [Regions, Organisations, Users, Children, Providers, Needs, Concerns, ConcernSteps, RiskChanges, Contracts, Deliveries, Contacts];

    public int Count => Tables.Sum(t => t.Count);

    /// <summary>
    /// Makes the county. Everything but the ids and the sealed notes' nonces comes from one seeded
    /// <see cref="Random"/> and fixed lists, so the same county (names, birth dates, villages, shares) is made every time;
    /// times are relative to <paramref name="now"/>. <paramref name="passwordHash"/> is the demo password's hash, made once
    /// (one PBKDF2 hash takes ~50 ms; every demo account has the same password anyway).
    /// </summary>
    public static FullDemoCountyRows Build(DateTime now, DateOnly today, FieldCipher cipher, string passwordHash) =>
        new FullDemoCountyBuilder(now, today, cipher, passwordHash).Build();
}

/// <summary>
/// The shares below are NOT figures from the source documents: DOMAIN.md and the five plans (000–004) define who is a
/// left-behind child, a child in difficulty and a priority child, and set the contact rhythm and the staffing rule, but
/// give no percentages. The shares are this demo's assumptions, chosen to look like a rural county; each says which
/// line of DOMAIN.md defines what it counts.
/// </summary>
internal sealed class FullDemoCountyBuilder(DateTime now, DateOnly today, FieldCipher cipher, string passwordHash)
{
    private const string CountyCode = FullDemoCounty.CountyCode;
    private const int ChildrenInCounty = FullDemoCounty.Children;
    private const int VolunteerCount = FullDemoCounty.Volunteers;
    private const int VolunteersWithAccounts = 40;

    // DOMAIN.md "Who the children are": left-behind (001, 002) or in difficulty (003, 004). Assumed: 72 % left-behind.
    private const double LeftBehindShare = 0.72;
    // DOMAIN.md "Risk grading" (000 §3.1): graded risk levels. Assumed shares (low, medium; the rest high), per category.
    private static readonly (double Low, double Medium) LeftBehindRisk = (0.70, 0.23);
    private static readonly (double Low, double Medium) InDifficultyRisk = (0.45, 0.35);
    // DOMAIN.md "Priority groups" (001, 003): psychological or behaviour problems; assumed 6 % of children.
    private const double PsychologicalShare = 0.06;
    // DOMAIN.md "Guardian consent is recorded before a child is paired or served" (ARCHITECTURE "Data and access"):
    // assumed 88 % consented to everything, 6 % to matching and services only, 6 % not yet recorded.
    private const double FullConsentShare = 0.88;
    private const double PartialConsentShare = 0.06;
    // DOMAIN.md "Staffing rule" (003 §16): more directors where a village has over 30 children; the demo's villages
    // have 25–75 weighted children each, so most need a second director and the staffing report says so.
    // DOMAIN.md "Contact rhythm" (003 §8): weekly contact, monthly visit. Assumed: 10 villages' directors fall behind.
    private const int VillagesBehind = 10;
    // Share of children with an open request for help (assumed), and how old the oldest is (some past their line's wait).
    private const double NeedShare = 0.11;
    private const int OldestNeedDays = 45;

    /// <summary>
    /// A guardian situation of DOMAIN.md's definitions (001/002 for left-behind, 003/004 for in difficulty), who signs
    /// the consent, and the priority groups it implies; the weight is the demo's assumption.
    /// </summary>
    private sealed record Situation(string Text, string Relation, bool Woman, double Weight, params string[] Groups);

    private static readonly Situation[] LeftBehindSituations =
    [
        new("父母均在外务工，由祖父母照料", "grandmother", true, 0.46),
        new("父母均在外务工，由外祖父母照料", "grandmother", true, 0.18),
        new("父母均在外务工，由祖父照料（祖母已故）", "grandfather", false, 0.06),
        new("父母均在外务工，已签委托照护协议，由姑姑照料", "entrusted-carer", true, 0.07),
        new("父亲在外务工，母亲患重病无法履行监护职责", "mother", true, 0.08, PriorityGroups.ParentsDisabledOrIll),
        new("母亲在外务工，父亲重度残疾无法履行监护职责", "father", false, 0.07, PriorityGroups.ParentsDisabledOrIll),
        new("父母均在外务工，家庭经济困难，由祖母照料", "grandmother", true, 0.08, PriorityGroups.PoorFamily),
    ];

    private static readonly Situation[] InDifficultySituations =
    [
        new("父母双亡（孤儿），由叔叔照料", "relative", false, 0.12),
        new("父亲服刑，母亲离家失联，事实无人抚养，由祖母照料", "grandmother", true, 0.16),
        new("父亲戒毒，母亲离家，由外祖母照料", "grandmother", true, 0.08),
        new("本人肢体残疾，随母亲生活", "mother", true, 0.12, PriorityGroups.Disabled),
        new("本人智力残疾，父母在外务工，由祖父母照料", "grandmother", true, 0.08, PriorityGroups.Disabled),
        new("家庭享受最低生活保障，父亲患病", "father", false, 0.22, PriorityGroups.PoorFamily, PriorityGroups.ParentsDisabledOrIll),
        new("家庭享受最低生活保障，单亲，由母亲抚养", "mother", true, 0.22, PriorityGroups.PoorFamily),
    ];

    private static readonly string[] CallNotes =
    [
        "电话联系监护人，孩子近况良好，学习正常。", "与孩子视频通话，身体和情绪均稳定。", "电话了解在校表现，监护人反映孩子情绪稳定。",
        "电话提醒注意防溺水和交通安全。", "联系在外务工的父母，沟通孩子近况，约定每周通话。", "电话询问孩子近期作业完成情况。",
    ];

    private static readonly string[] VisitNotes =
    [
        "入户走访，查看居住环境和监护情况，未发现安全隐患。", "入户走访，了解学习情况，孩子成绩有进步。",
        "家访，核对一人一档信息，更新联系电话。", "入户走访，检查委托照护协议落实情况，照护人能够履职。",
        "入户走访，协助准备低保复核材料。", "家访，与祖父母交流家庭教育方法。",
    ];

    private static readonly (ConcernKind Kind, string Details)[] ConcernTexts =
    [
        (ConcernKind.AloneWithoutGuardian, "孩子独自在家居住多日，祖母住院，无人照料。"),
        (ConcernKind.Missing, "孩子放学后未回家，至晚上九点仍联系不上。"),
        (ConcernKind.GuardianUnable, "照护的祖父突发中风，无法继续照料孩子。"),
        (ConcernKind.SuspectedViolence, "学校老师发现孩子手臂有多处淤青，孩子称被家人打。"),
        (ConcernKind.SuspectedInjury, "孩子腿部受伤未及时就医，伤口已感染。"),
        (ConcernKind.Other, "孩子近期多次旷课，常在网吧逗留至深夜。"),
    ];

    private readonly Random _random = new(20_240_318);
    private readonly FullDemoCountyRows _rows = new();
    private readonly List<(Region Village, Region Town, UserAccount Director)> _villages = [];
    private readonly List<(Region Town, UserAccount Supervisor)> _towns = [];
    private readonly Dictionary<OrganisationKind, Organisation> _orgs = [];
    private Organisation _secondSocialWork = null!;
    private Region _county = null!;
    private UserAccount _civil = null!;
    private UserAccount _fulian = null!;
    private UserAccount _tuanwei = null!;
    private UserAccount _shegong = null!;
    private UserAccount _shegong2 = null!;

    public FullDemoCountyRows Build()
    {
        AddRegionsAndStaff();
        var priority = AddChildren();
        AddContacts(priority);
        AddVolunteers();
        AddProgrammes();
        AddNeeds();
        AddConcerns();
        AddContracts();
        return _rows;
    }

    private double Next() => _random.NextDouble();

    private DateTime DaysAgo(double days) => now - TimeSpan.FromDays(days);

    private DateTime NotAfterNow(DateTime at) => at < now ? at : now;

    /// <summary>A time in the working day (08:00–20:00 China time) of the day <paramref name="at"/> falls in.</summary>
    private DateTime DuringTheDay(DateTime at)
    {
        // The same three draws whatever the time: the county must not depend on when it is seeded.
        var (hour, minute, earlier) = (_random.Next(12), _random.Next(60), _random.Next(5, 120));
        var moment = at.AddHours(8).Date.AddHours(8 + hour).AddMinutes(minute).AddHours(-8);
        return DateTime.SpecifyKind(moment > now ? now.AddMinutes(-earlier) : moment, DateTimeKind.Utc);
    }

    private void AddRegionsAndStaff()
    {
        Region Region(string code, string name, RegionKind kind, Region? parent)
        {
            var region = new Region { Code = code, Name = name, Kind = kind, ParentCode = parent?.Code, Path = $"{parent?.Path ?? "/"}{code}/", CreatedAt = DaysAgo(420) };
            _rows.Regions.Add(region);
            return region;
        }
        Organisation Org(string name, OrganisationKind kind)
        {
            var organisation = new Organisation { Id = Ids.New(), Name = name, Kind = kind, RegionCode = _county.Code, RegionPath = _county.Path, CreatedAt = DaysAgo(420) };
            _rows.Organisations.Add(organisation);
            return organisation;
        }
        _county = Region(CountyCode, DemoNames.County, RegionKind.County, null);
        _orgs[OrganisationKind.CivilAffairs] = Org("青山县民政局", OrganisationKind.CivilAffairs);
        _orgs[OrganisationKind.WomensFederation] = Org("青山县妇联", OrganisationKind.WomensFederation);
        _orgs[OrganisationKind.YouthLeague] = Org("共青团青山县委", OrganisationKind.YouthLeague);
        _orgs[OrganisationKind.SocialWorkOrg] = Org("青山县阳光社会工作服务中心", OrganisationKind.SocialWorkOrg);
        _secondSocialWork = Org("青山县心桥社会工作服务社", OrganisationKind.SocialWorkOrg);

        // The README's well-known user names (as in the small demo) for the county's roles.
        _civil = User("civil", Role.CivilAffairs, _county, _orgs[OrganisationKind.CivilAffairs]);
        _fulian = User("fulian", Role.ProgrammeOwner, _county, _orgs[OrganisationKind.WomensFederation]);
        _tuanwei = User("tuanwei", Role.ProgrammeOwner, _county, _orgs[OrganisationKind.YouthLeague]);
        _shegong = User("shegong", Role.SocialWorkOrg, _county, _orgs[OrganisationKind.SocialWorkOrg]);
        _shegong2 = User("shegong-2", Role.SocialWorkOrg, _county, _secondSocialWork);

        var villageNumber = 0;
        for (var t = 0; t < DemoNames.Towns.Count; t++)
        {
            var (townName, villageNames) = DemoNames.Towns[t];
            var street = townName.EndsWith("街道", StringComparison.Ordinal);
            var town = Region(street ? $"{CountyCode}001" : $"{CountyCode}{101 + t}", townName, RegionKind.Town, _county);
            // One supervisor per town (004): supervisor-01 … supervisor-08.
            _towns.Add((town, User($"supervisor-{t + 1:00}", Role.Supervisor, town)));
            for (var v = 0; v < villageNames.Length; v++)
            {
                var village = Region($"{town.Code}{(street ? 1 : 201) + v:000}", villageNames[v], RegionKind.Village, town);
                // At least one child director per village (003 §16): director-01 … director-60.
                _villages.Add((village, town, User($"director-{++villageNumber:00}", Role.ChildDirector, village)));
            }
        }
        // The small demo's "supervisor" and "director" are a second supervisor of the first town and a second director of
        // its first village (平安村, the county's biggest: over 30 children needs more than one, 003 §16).
        User("supervisor", Role.Supervisor, _towns[0].Town);
        User("director", Role.ChildDirector, _villages[0].Village);
    }

    private UserAccount User(string userName, Role role, Region region, Organisation? organisation = null, string? displayName = null)
    {
        var user = new UserAccount
        {
            Id = Ids.New(), UserName = userName, PasswordHash = passwordHash, Role = role, RegionCode = region.Code, RegionPath = region.Path,
            OrganisationId = organisation?.Id, DisplayName = displayName ?? DemoNames.Adult(_random, Next() < 0.6), CreatedAt = DaysAgo(420),
        };
        _rows.Users.Add(user);
        return user;
    }

    /// <summary>The children, exactly <see cref="ChildrenInCounty"/>, spread over the villages by a weight of 25–75 each.</summary>
    private HashSet<ChildFile> AddChildren()
    {
        var weights = _villages.Select(_ => _random.Next(25, 76)).ToArray();
        weights[0] = 90; // 平安村, the village with two directors
        var sizes = weights.Select(w => (int)Math.Round((double)ChildrenInCounty * w / weights.Sum())).ToArray();
        sizes[^1] += ChildrenInCounty - sizes.Sum();
        var priority = new HashSet<ChildFile>();
        for (var v = 0; v < _villages.Count; v++)
        {
            var (village, _, director) = _villages[v];
            for (var i = 0; i < sizes[v]; i++)
            {
                var child = NewChild(village, director);
                _rows.Children.Add(child);
                var groups = PriorityGroups.Of(child);
                if (child.RiskLevel == RiskLevel.High || groups.Any(Safeguarding.FollowupRhythm.PriorityGroupsForRhythm.Contains))
                {
                    priority.Add(child);
                }
            }
        }
        return priority;
    }

    private ChildFile NewChild(Region village, UserAccount director)
    {
        var boy = Next() < 0.53;
        var family = DemoNames.Pick(_random, DemoNames.FamilyNames);
        var given = DemoNames.Pick(_random, boy ? DemoNames.BoyNames : DemoNames.GirlNames);
        // Ages 3 to 15 (under 16, DOMAIN.md "Who the children are").
        var birth = today.AddDays(-_random.Next(3 * 365 + 1, 16 * 365 - 2));
        var category = Next() < LeftBehindShare ? ChildCategory.LeftBehind : ChildCategory.InDifficulty;
        var situation = Weighted(category == ChildCategory.LeftBehind ? LeftBehindSituations : InDifficultySituations);
        var (low, medium) = category == ChildCategory.LeftBehind ? LeftBehindRisk : InDifficultyRisk;
        var roll = Next();
        var risk = roll < low ? RiskLevel.Low : roll < low + medium ? RiskLevel.Medium : RiskLevel.High;
        var groups = situation.Groups.ToList();
        if (Next() < PsychologicalShare)
        {
            groups.Add(PriorityGroups.PsychologicalProblems);
        }
        // Most files were opened in the county's survey a little over a year ago; some since.
        var opened = Next() < 0.88 ? DaysAgo(380 + _random.Next(40)) : DaysAgo(10 + _random.Next(350));
        var consent = Next();
        var purposes = consent < FullConsentShare ? ConsentPurposes.All
            : consent < FullConsentShare + PartialConsentShare ? [ConsentPurposes.Matching, ConsentPurposes.Services]
            : null;
        return new ChildFile
        {
            Id = Ids.New(), GivenName = given, FamilyName = family, Gender = boy ? Gender.Male : Gender.Female, BirthDate = birth,
            VillageCode = village.Code, RegionPath = village.Path, Category = category, GuardianSituation = situation.Text, RiskLevel = risk,
            PriorityGroupsJson = JsonSerializer.Serialize(groups.Distinct().ToList()),
            ConsentBy = purposes is null ? null : (situation.Relation is "mother" or "father" ? family : DemoNames.Pick(_random, DemoNames.FamilyNames))
                + (situation.Woman ? DemoNames.Pick(_random, DemoNames.WomenNames) : DemoNames.Pick(_random, DemoNames.MenNames)),
            ConsentRelation = purposes is null ? null : situation.Relation,
            ConsentRecordedAt = purposes is null ? null : opened.AddDays(_random.Next(1, 9)),
            ConsentPurposesJson = JsonSerializer.Serialize(purposes ?? []),
            CreatedByUserId = director.Id, CreatedAt = opened, UpdatedAt = opened, Version = 1,
        };
    }

    private Situation Weighted(Situation[] situations)
    {
        var roll = Next() * situations.Sum(s => s.Weight);
        foreach (var situation in situations)
        {
            if ((roll -= situation.Weight) < 0)
            {
                return situation;
            }
        }
        return situations[^1];
    }

    /// <summary>
    /// A year of calls and home visits (003 §8: weekly contact, monthly visit; priority children twice as often, as
    /// <see cref="Safeguarding.FollowupOptions.PriorityRate"/>). Most directors keep the rhythm, with the odd late week;
    /// the directors of <see cref="VillagesBehind"/> villages fell behind weeks ago, so the overdue lists and the directors'
    /// daily digests have something to show.
    /// </summary>
    private void AddContacts(HashSet<ChildFile> priority)
    {
        var behind = _villages.Skip(1).OrderBy(_ => _random.Next()).Take(VillagesBehind).Select(v => v.Village.Code).ToHashSet();
        var directors = _villages.ToDictionary(v => v.Village.Code, v => v.Director.Id);
        foreach (var child in _rows.Children)
        {
            var rate = priority.Contains(child) ? 2.0 : 1.0;
            var lagging = behind.Contains(child.VillageCode);
            // How long ago the director stopped: days for a director keeping up (some a little late), weeks for one behind.
            var stoppedDaysAgo = lagging ? 8 + _random.Next(40) : Next() < 0.06 ? 7 + _random.Next(6) : 0;
            var from = child.CreatedAt > DaysAgo(365) ? child.CreatedAt : DaysAgo(365);
            var until = DaysAgo(stoppedDaysAgo);
            AddRhythm(child, directors[child.VillageCode], ContactKind.Call, 7 / rate, from, until, lagging ? 1.4 : 1.0);
            AddRhythm(child, directors[child.VillageCode], ContactKind.HomeVisit, 30 / rate, from, lagging ? DaysAgo(stoppedDaysAgo + 20) : until, lagging ? 1.5 : 1.0);
        }
    }

    private void AddRhythm(ChildFile child, string directorId, ContactKind kind, double everyDays, DateTime from, DateTime until, double slack)
    {
        var notes = kind == ContactKind.Call ? CallNotes : VisitNotes;
        // Between 85 % and 100 % of the interval after the last one (times the slack of a director behind): on rhythm.
        for (var at = from + TimeSpan.FromDays(everyDays * Next()); at < until; at += TimeSpan.FromDays(everyDays * (0.85 + 0.15 * Next()) * slack))
        {
            var when = DuringTheDay(at);
            _rows.Contacts.Add(new ContactRecord
            {
                Id = Ids.New(), ChildId = child.Id, Kind = kind, At = when, Notes = cipher.Seal(notes[_random.Next(notes.Length)]),
                RecordedByUserId = directorId, RecordedAt = NotAfterNow(when.AddMinutes(_random.Next(5, 240))),
            });
        }
    }

    /// <summary>
    /// 400 volunteers (DOMAIN.md "Who does the work": volunteers offer time and skills) on the volunteer lines: tutoring,
    /// counselling (qualified people only), Caring Mother (women only); holiday activities are programmes only. Vetting
    /// (000 §4): most passed, some expiring within 30 days, some expired, some not yet checked, a few failed.
    /// </summary>
    private void AddVolunteers()
    {
        // The README's "volunteer": a vetted Caring Mother and tutor of 平安村, as in the small demo.
        var known = User("volunteer", Role.Volunteer, _villages[0].Village, displayName: "刘芳");
        AddVolunteer("刘芳（志愿者）", Gender.Female, _villages[0].Village, ["caring-mother", "tutoring"], known,
            vetted: (VettingStatus.Passed, DaysAgo(20), now.AddYears(1)));
        for (var i = 1; i < VolunteerCount; i++)
        {
            var woman = Next() < 0.62;
            var (village, town, _) = _villages[_random.Next(_villages.Count)];
            var home = Next() < 0.7 ? village : town;
            var roll = Next();
            List<string> lines = roll < 0.14 ? ["counselling"] : woman && roll < 0.14 + 0.32 ? ["caring-mother"] : ["tutoring"];
            if (lines[0] != "tutoring" && Next() < 0.25)
            {
                lines.Add("tutoring");
            }
            var name = DemoNames.Adult(_random, woman);
            var user = i <= VolunteersWithAccounts ? User($"volunteer-{i:000}", Role.Volunteer, home, displayName: name) : null;
            AddVolunteer(name, woman ? Gender.Female : Gender.Male, home, lines, user, Vetting());
        }
    }

    private (VettingStatus Status, DateTime? CheckedAt, DateTime? ExpiresAt) Vetting()
    {
        var roll = Next();
        if (roll < 0.15)
        {
            return (VettingStatus.None, null, null);
        }
        if (roll < 0.18)
        {
            return (VettingStatus.Failed, DaysAgo(_random.Next(10, 200)), null);
        }
        // A check holds a year: expiring within 30 days, expired, or valid for longer.
        var daysLeft = roll < 0.27 ? _random.Next(1, 30) : roll < 0.31 ? -_random.Next(1, 60) : _random.Next(31, 360);
        var expires = now.AddDays(daysLeft);
        return (VettingStatus.Passed, expires.AddYears(-1), expires);
    }

    private void AddVolunteer(string name, Gender gender, Region home, List<string> lines, UserAccount? user, (VettingStatus Status, DateTime? CheckedAt, DateTime? ExpiresAt) vetted)
    {
        var offers = new Dictionary<string, object>();
        foreach (var line in lines)
        {
            offers[line] = line switch
            {
                "tutoring" => TutoringOffer(),
                "counselling" => new
                {
                    qualifications = Some(["social-worker", "psychological-counsellor", "school-counsellor", "psychiatrist"], 1, 2, [0.5, 0.35, 0.3, 0.05]),
                    modes = Some(["in-person", "phone", "online"], 1, 3),
                    specialties = Some(["emotional", "behaviour", "family-conflict", "bereavement", "bullying", "screening-flag"], 1, 3),
                },
                _ => (object)new { supportKinds = Some(["daily-life", "emotional-comfort", "study-encouragement", "festival-visits"], 2, 4) },
            };
        }
        // Caring Mothers belong to the women's federation, counsellors to a social-work organisation, tutors to the youth league.
        var organisation = lines.Contains("caring-mother") ? _orgs[OrganisationKind.WomensFederation]
            : lines.Contains("counselling") ? (Next() < 0.6 ? _orgs[OrganisationKind.SocialWorkOrg] : _secondSocialWork)
            : _orgs[OrganisationKind.YouthLeague];
        var created = DaysAgo(_random.Next(30, 400));
        _rows.Providers.Add(new Provider
        {
            Id = Ids.New(), Kind = ProviderKind.Volunteer, DisplayName = name, Gender = gender, RegionCode = home.Code, RegionPath = home.Path,
            CoveredPathsJson = JsonSerializer.Serialize(new[] { home.Path }), LinesJson = JsonSerializer.Serialize(lines),
            OfferJson = JsonSerializer.Serialize(offers), AvailabilityJson = JsonSerializer.Serialize(Some(TimeSlots.All, 1, 3, [0.3, 0.35, 0.5, 0.5, 0.2, 0.3])),
            // As a registration without a capacity: the smallest of the lines' own (a Caring Mother one child); some tutors take three.
            Capacity = lines.Contains("caring-mother") ? 1 : Next() < 0.2 ? 3 : 2,
            OrganisationId = user?.UserName == "volunteer" ? null : organisation.Id, UserId = user?.Id,
            VettingStatus = vetted.Status, VettingCheckedAt = vetted.CheckedAt, VettingExpiresAt = vetted.ExpiresAt,
            VettingReference = vetted.Status == VettingStatus.None ? null : $"青公查{vetted.CheckedAt!.Value.Year}-{_random.Next(1, 9999):0000}",
            CreatedByUserId = user?.Id ?? (organisation == _orgs[OrganisationKind.WomensFederation] ? _fulian.Id : _tuanwei.Id),
            CreatedAt = created, UpdatedAt = created, Version = 1,
        });
    }

    private object TutoringOffer()
    {
        var (min, max) = Next() switch { < 0.45 => (1, 6), < 0.75 => (7, 9), < 0.9 => (3, 9), _ => (1, 9) };
        return new
        {
            subjects = Some(["chinese", "maths", "english", "physics", "chemistry", "science", "history"], 1, 3, [0.6, 0.7, 0.5, 0.15, 0.1, 0.15, 0.1]),
            gradeMin = min,
            gradeMax = max,
            modes = Next() < 0.6 ? new[] { "in-person" } : Next() < 0.5 ? ["online"] : ["in-person", "online"],
        };
    }

    /// <summary>Between <paramref name="min"/> and <paramref name="max"/> of the values, likelier ones first (same order every time).</summary>
    private List<string> Some(IReadOnlyList<string> values, int min, int max, double[]? odds = null)
    {
        var chosen = values.Where((_, i) => Next() < (odds?[i] ?? 0.4)).Take(max).ToList();
        while (chosen.Count < min)
        {
            var value = values[_random.Next(values.Count)];
            if (!chosen.Contains(value))
            {
                chosen.Add(value);
            }
        }
        return chosen;
    }

    /// <summary>
    /// Programmes with seats (DOMAIN.md "Who does the work"): the youth league's 4:30 classroom in every town and its
    /// Colourful Holidays; the women's federation's Spring Bud classes and holiday care activities.
    /// </summary>
    private void AddProgrammes()
    {
        void Programme(Organisation owner, UserAccount by, string line, string title, IEnumerable<Region> covered, int seats, int startsIn, int endsIn,
            int? ageMin, int? ageMax, string funding, object details)
        {
            var regions = covered.ToList();
            var created = DaysAgo(_random.Next(20, 150));
            _rows.Providers.Add(new Provider
            {
                Id = Ids.New(), Kind = ProviderKind.Programme, DisplayName = title, RegionCode = regions.OrderBy(r => r.Path.Length).First().Code,
                RegionPath = regions.OrderBy(r => r.Path.Length).First().Path,
                CoveredPathsJson = JsonSerializer.Serialize(regions.Select(r => r.Path).OrderBy(p => p, StringComparer.Ordinal).ToList()),
                LinesJson = JsonSerializer.Serialize(new[] { line }), OfferJson = JsonSerializer.Serialize(new Dictionary<string, object> { [line] = details }),
                AvailabilityJson = "[]", Capacity = seats, OrganisationId = owner.Id, StartsOn = today.AddDays(startsIn), EndsOn = today.AddDays(endsIn),
                AgeMin = ageMin, AgeMax = ageMax, FundingSource = funding, CreatedByUserId = by.Id, CreatedAt = created, UpdatedAt = created, Version = 1,
            });
        }
        var youthLeague = _orgs[OrganisationKind.YouthLeague];
        var womensFederation = _orgs[OrganisationKind.WomensFederation];
        foreach (var (town, _) in _towns)
        {
            Programme(youthLeague, _tuanwei, "tutoring", $"四点半课堂·{town.Name}", [town], 20 + 5 * _random.Next(4), -120, 200, 6, 12, "团县委专项",
                new { subjects = new[] { "chinese", "maths", "english" }, gradeMin = 1, gradeMax = 6, modes = new[] { "in-person" } });
        }
        var towns = _towns.Select(t => t.Town).ToList();
        Programme(youthLeague, _tuanwei, "holiday-activities", "七彩假期·寒假综合营", [_county], 150, 40, 55, 6, 14, "团县委专项",
            new { activities = new[] { "reading", "sport", "arts", "science" }, period = "winter" });
        Programme(youthLeague, _tuanwei, "holiday-activities", "七彩假期·暑期防溺水安全营", [_county], 200, 200, 215, 6, 15, "福利彩票公益金",
            new { activities = new[] { "safety-education", "sport" }, period = "summer" });
        Programme(womensFederation, _fulian, "holiday-activities", "春蕾·节日关爱行动", [_county], 80, 20, 25, 3, 15, "县妇联",
            new { activities = new[] { "visits", "arts", "reading" }, period = "festival" });
        Programme(womensFederation, _fulian, "holiday-activities", "巾帼护苗·寒假阅读营", towns.Take(4), 60, 45, 52, 7, 13, "县妇联",
            new { activities = new[] { "reading", "safety-education" }, period = "winter" });
        Programme(womensFederation, _fulian, "tutoring", "春蕾助学·周末课堂", towns.Skip(4), 30, -60, 240, 12, 15, "春蕾计划",
            new { subjects = new[] { "maths", "english", "physics" }, gradeMin = 7, gradeMax = 9, modes = new[] { "in-person" } });
    }

    /// <summary>
    /// Open requests for help across the four lines, from children whose guardian consented to matching (without it a
    /// director cannot ask). Asked over the last <see cref="OldestNeedDays"/> days: those past their line's wait (14 days;
    /// an urgent counselling 3) climb to the town and the county at the first sweep. Matching offers them at start.
    /// </summary>
    private void AddNeeds()
    {
        var directors = _villages.ToDictionary(v => v.Village.Code, v => v.Director.Id);
        foreach (var child in _rows.Children)
        {
            // The well-known volunteer's village asks for more, so she has offers when she signs in.
            var share = child.VillageCode == _villages[0].Village.Code ? 0.25 : NeedShare;
            if (!child.Covers(ConsentPurposes.Matching) || Next() >= share)
            {
                continue;
            }
            var age = ChinaCalendar.AgeOn(child.BirthDate, today);
            var roll = Next();
            var psychological = PriorityGroups.Of(child).Contains(PriorityGroups.PsychologicalProblems);
            var line = age < 6 ? (roll < 0.7 ? "caring-mother" : "counselling")
                : psychological && roll < 0.6 ? "counselling"
                : roll < 0.36 ? "tutoring" : roll < 0.64 ? "holiday-activities" : roll < 0.8 ? "counselling" : "caring-mother";
            var details = line switch
            {
                "tutoring" => (object)new
                {
                    subject = Some(["maths", "chinese", "english", "physics"], 1, 1, [0.45, 0.35, 0.3, 0.1])[0],
                    grade = Math.Clamp(age - 6, 1, 9),
                    schedule = Some([TimeSlots.WeekdayAfternoon, TimeSlots.WeekendMorning, TimeSlots.WeekendAfternoon, TimeSlots.WeekdayEvening], 1, 2, [0.6, 0.4, 0.3, 0.2]),
                    mode = Next() < 0.75 ? "in-person" : "online",
                },
                "counselling" => new
                {
                    reasonCategory = psychological ? Some(["emotional", "behaviour", "screening-flag"], 1, 1)[0]
                        : Some(["emotional", "family-conflict", "bereavement", "bullying", "other"], 1, 1)[0],
                    mode = Next() switch { < 0.55 => "in-person", < 0.8 => "phone", _ => "online" },
                },
                "holiday-activities" => new
                {
                    interests = Some(["reading", "sport", "safety-education", "arts", "science", "visits"], 1, 3),
                    period = Next() switch { < 0.45 => "winter", < 0.8 => "summer", _ => "festival" },
                    hadActivityThisYear = Next() < 0.3,
                },
                _ => new { supportKinds = Some(["daily-life", "emotional-comfort", "study-encouragement", "festival-visits"], 1, 3) },
            };
            var urgent = Next() < (line == "counselling" ? 0.2 : 0.06);
            var asked = DuringTheDay(DaysAgo(Next() * OldestNeedDays));
            if (asked < child.ConsentRecordedAt)
            {
                continue;
            }
            _rows.Needs.Add(new Need
            {
                Id = Ids.New(), ChildId = child.Id, Line = line, DetailsJson = JsonSerializer.Serialize(details), Urgency = urgent ? Urgency.Urgent : Urgency.Normal,
                Status = NeedStatus.Open, RegionPath = child.RegionPath, CountyCode = CountyCode, CreatedByUserId = directors[child.VillageCode],
                CreatedAt = asked, UpdatedAt = asked, Version = 1,
            });
        }
    }

    /// <summary>
    /// Concerns (强制报告, 001 §4.1) at every step of the chain discover → report to police → assessment → referral →
    /// intervention → assistance (001 §4.3, 004 §3.3): three at each stage, three escalated for not being reported to
    /// police within the deadline, two just raised. Each raised the child's risk to high, with the concern named.
    /// </summary>
    private void AddConcerns()
    {
        var children = _rows.Children.Where(c => c.ClosedAt is null).OrderBy(_ => _random.Next()).Take(23).ToList();
        var stages = Enum.GetValues<ConcernStage>();
        var plan = stages.SelectMany(stage => Enumerable.Repeat((Stage: stage, Escalated: false), 3))
            .Concat(Enumerable.Repeat((Stage: ConcernStage.Discovered, Escalated: true), 3))
            .Concat(Enumerable.Repeat((Stage: ConcernStage.Discovered, Escalated: false), 2))
            .ToList();
        for (var i = 0; i < plan.Count && i < children.Count; i++)
        {
            var (stage, escalated) = plan[i];
            var child = children[i];
            var (village, town, director) = _villages.First(v => v.Village.Code == child.VillageCode);
            var supervisor = _towns.First(t => t.Town.Code == town.Code).Supervisor;
            var (kind, details) = ConcernTexts[i % ConcernTexts.Length];
            // The further along the chain, the longer ago it was raised; the three first "discovered" were raised hours ago.
            var raised = stage == ConcernStage.Discovered
                ? escalated ? DaysAgo(2 + _random.Next(5)) : now.AddHours(-2 - _random.Next(10))
                : DaysAgo(10 + 25 * (int)stage + _random.Next(20));
            if (raised < child.CreatedAt)
            {
                raised = child.CreatedAt.AddDays(1);
            }
            var concern = new Concern
            {
                Id = Ids.New(), ChildId = child.Id, RegionPath = child.RegionPath, Kind = kind, Details = cipher.Seal(details), Stage = stage,
                RaisedByUserId = director.Id, RaisedByRole = Role.ChildDirector.Name(), RaisedAt = raised, Version = 1 + (int)stage,
            };
            _rows.Concerns.Add(concern);
            Step(concern, "discovered", raised, director.Id, null, "");
            var at = raised;
            for (var next = ConcernStage.ReportedToPolice; next <= stage; next++)
            {
                at = next == ConcernStage.ReportedToPolice ? at.AddHours(1 + _random.Next(18)) : at.AddDays(1 + _random.Next(6));
                var (by, reference, notes) = next switch
                {
                    ConcernStage.ReportedToPolice => (director.Id, $"{town.Name}派出所受案〔{at.Year}〕{_random.Next(10, 999)}号", "已电话报警并提交书面报告。"),
                    ConcernStage.Assessed => (supervisor.Id, null, "督导员会同村委会入户评估，确认监护缺失情况。"),
                    ConcernStage.Referred => (supervisor.Id, null, "转介县未成年人救助保护中心和学校。"),
                    ConcernStage.Intervened => (_civil.Id, null, "落实临时监护，安排亲属照料并跟进就医。"),
                    _ => (_civil.Id, null, "纳入重点关爱对象，链接爱心妈妈结对和心理辅导。"),
                };
                Step(concern, JsonNamingPolicy.KebabCaseLower.ConvertName(next.ToString()), at, by, reference, notes);
                if (next == ConcernStage.ReportedToPolice)
                {
                    concern.ReportedToPoliceAt = at;
                    concern.PoliceReference = reference;
                }
            }
            if (escalated)
            {
                // Not reported to police within the deadline (a day): escalated, as ConcernEscalation does.
                concern.EscalatedAt = raised.AddDays(1).AddMinutes(30);
                concern.Version++;
                Step(concern, "escalated", concern.EscalatedAt.Value, null, null, "");
            }
            if (child.RiskLevel != RiskLevel.High)
            {
                _rows.RiskChanges.Add(new RiskChange
                {
                    Id = Ids.New(), ChildId = child.Id, From = child.RiskLevel, To = RiskLevel.High, Reason = Text.HostTexts.Get("risk.reason.concern").Zh,
                    ConcernId = concern.Id, ByUserId = director.Id, At = raised,
                });
                child.RiskLevel = RiskLevel.High;
                child.UpdatedAt = raised;
                child.Version++;
            }
        }
    }

    private void Step(Concern concern, string step, DateTime at, string? by, string? reference, string notes) =>
        _rows.ConcernSteps.Add(new ConcernStep
        {
            Id = Ids.New(), ConcernId = concern.Id, Step = step, At = at, ByUserId = by, Reference = reference,
            Notes = notes.Length == 0 ? "" : cipher.Seal(notes), RecordedAt = NotAfterNow(at.AddMinutes(10)),
        });

    /// <summary>
    /// Two purchased-service contracts (004 §4.1) with a year of deliveries: counselling sessions by one social-work
    /// organisation in the first four towns, ending within 30 days; tutoring hours by the other in the last four, over
    /// 90 % used. So civil affairs' contract notices have one of each.
    /// </summary>
    private void AddContracts()
    {
        var towns = _towns.Select(t => t.Town).ToList();
        Contract(_orgs[OrganisationKind.SocialWorkOrg], _shegong, "counselling", "留守儿童心理疏导与个案辅导服务", towns.Take(4).ToList(), 1_200, UnitKind.Session,
            15_000, today.AddDays(-330), today.AddDays(20), FundingSource.Budget, 0.82, 1,
            ["个案辅导：情绪疏导，孩子愿意交流。", "小组辅导：人际交往主题活动。", "个案辅导：亲子关系沟通，与在外父母视频。"]);
        Contract(_secondSocialWork, _shegong2, "tutoring", "困境儿童学业辅导服务", towns.Skip(4).ToList(), 2_400, UnitKind.Hour,
            8_000, today.AddDays(-300), today.AddDays(65), FundingSource.WelfareLottery, 0.92, 2,
            ["数学辅导：分数运算练习。", "语文辅导：阅读理解与作文。", "英语辅导：单词与听力训练。"]);
    }

    private void Contract(Organisation organisation, UserAccount reporter, string line, string title, List<Region> towns, int units, UnitKind kind,
        long priceFen, DateOnly startsOn, DateOnly endsOn, FundingSource funding, double deliveredShare, int unitsEach, string[] notes)
    {
        var contract = new PurchasedServiceContract
        {
            Id = Ids.New(), OrganisationId = organisation.Id, Line = line, Title = title,
            CoveredPathsJson = JsonSerializer.Serialize(towns.Select(t => t.Path).ToList()), RegionPath = _county.Path, Units = units, UnitKind = kind,
            UnitPriceFen = priceFen, StartsOn = startsOn, EndsOn = endsOn, FundingSource = funding, CreatedByUserId = _civil.Id,
            CreatedAt = startsOn.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).AddDays(-10), Version = 1,
        };
        _rows.Contracts.Add(contract);
        // The children served: consent to services, in the covered towns (DeliveryRules), about eighty of them.
        var served = _rows.Children.Where(c => c.Covers(ConsentPurposes.Services) && towns.Any(t => c.RegionPath.StartsWith(t.Path, StringComparison.Ordinal)))
            .OrderBy(_ => _random.Next()).Take(80).ToList();
        var start = startsOn.ToDateTime(new TimeOnly(2, 0), DateTimeKind.Utc);
        var span = (now.AddDays(-1) - start).TotalDays;
        var rows = (int)(units * deliveredShare) / unitsEach;
        for (var i = 0; i < rows; i++)
        {
            var at = DuringTheDay(start.AddDays(span * i / rows));
            var child = served[_random.Next(served.Count)];
            _rows.Deliveries.Add(new ServiceDelivery
            {
                Id = Ids.New(), ContractId = contract.Id, ChildId = child.Id, RegionPath = child.RegionPath, Units = unitsEach, Kind = kind, At = at,
                Notes = cipher.Seal(notes[_random.Next(notes.Length)]), Status = DeliveryStatus.Recorded,
                ReportedByUserId = reporter.Id, ReportedAt = NotAfterNow(at.AddHours(3)),
            });
        }
        contract.DeliveredUnits = rows * unitsEach;
    }
}
