using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;
using Tongxin.Modules.Contracts;

namespace Tongxin.Host.Demo;

/// <summary>
/// <c>Demo:Enabled</c> (or <c>--demo</c>): seed a small sample county so a newcomer can log in at once.
/// <c>Demo:County</c> (or <c>--demo=county</c>): seed the full-size demo county instead (<see cref="FullDemoCounty"/>).
/// </summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";
    public bool Enabled { get; set; }
    public bool County { get; set; }
}

/// <summary>
/// A small county (modelled on Yunyang, 云阳县) with two towns, three villages, the organisations of
/// DOMAIN.md, one user per role and a few children. Every demo user's password is <see cref="Password"/>:
/// demo mode is for looking around, never for real data.
/// </summary>
public static class DemoCounty
{
    public const string AdminUserName = "admin";
    public const string Password = "tongxin-demo";
    public const string CountyCode = "500235";

    public static async Task SeedAsync(IServiceProvider services, ILogger logger, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TongxinDbContext>();
        if (await db.Regions.AnyAsync(r => r.Code == CountyCode, cancellationToken))
        {
            return;
        }
        var hasher = scope.ServiceProvider.GetRequiredService<IPasswordHasher<UserAccount>>();
        var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;

        Region Add(string code, string name, RegionKind kind, Region? parent)
        {
            var region = new Region { Code = code, Name = name, Kind = kind, ParentCode = parent?.Code, Path = $"{parent?.Path ?? "/"}{code}/", CreatedAt = now };
            db.Regions.Add(region);
            return region;
        }
        var county = Add(CountyCode, "云阳县（示范）", RegionKind.County, null);
        var nanxi = Add("500235102", "南溪镇", RegionKind.Town, county);
        var shuangjiang = Add("500235001", "双江街道", RegionKind.Town, county);
        var pingan = Add("500235102201", "平安村", RegionKind.Village, nanxi);
        Add("500235102202", "团结村", RegionKind.Village, nanxi);
        Add("500235001001", "青龙社区", RegionKind.Village, shuangjiang);

        Organisation Org(string name, OrganisationKind kind, Region region)
        {
            var organisation = new Organisation { Id = Ids.New(), Name = name, Kind = kind, RegionCode = region.Code, RegionPath = region.Path, CreatedAt = now };
            db.Organisations.Add(organisation);
            return organisation;
        }
        var civilAffairs = Org("云阳县民政局", OrganisationKind.CivilAffairs, county);
        var womensFederation = Org("云阳县妇联", OrganisationKind.WomensFederation, county);
        var youthLeague = Org("共青团云阳县委", OrganisationKind.YouthLeague, county);
        var socialWork = Org("云阳县阳光社工服务中心", OrganisationKind.SocialWorkOrg, county);

        void User(string userName, Role role, Region region, Organisation? organisation = null)
        {
            var user = new UserAccount
            {
                Id = Ids.New(), UserName = userName, PasswordHash = "", Role = role, RegionCode = region.Code,
                RegionPath = region.Path, OrganisationId = organisation?.Id, CreatedAt = now,
            };
            user.PasswordHash = hasher.HashPassword(user, Password);
            db.Users.Add(user);
        }
        User("civil", Role.CivilAffairs, county, civilAffairs);
        User("supervisor", Role.Supervisor, nanxi);
        User("director", Role.ChildDirector, pingan);
        User("fulian", Role.ProgrammeOwner, county, womensFederation);
        User("tuanwei", Role.ProgrammeOwner, county, youthLeague);
        User("shegong", Role.SocialWorkOrg, county, socialWork);
        User("volunteer", Role.Volunteer, nanxi);
        var volunteerUser = db.Users.Local.Single(u => u.UserName == "volunteer");

        // A vetted Caring Mother (and tutor) with her own account, and a holiday programme of the youth league.
        db.Providers.Add(new Provider
        {
            Id = Ids.New(), Kind = ProviderKind.Volunteer, DisplayName = "刘芳（志愿者）", Gender = Gender.Female,
            RegionCode = nanxi.Code, RegionPath = nanxi.Path, CoveredPathsJson = $"[\"{nanxi.Path}\"]",
            LinesJson = "[\"caring-mother\",\"tutoring\"]",
            OfferJson = "{\"caring-mother\":{\"supportKinds\":[\"daily-life\",\"emotional-comfort\",\"study-encouragement\"]},\"tutoring\":{\"subjects\":[\"chinese\",\"maths\"],\"gradeMin\":1,\"gradeMax\":6,\"modes\":[\"in-person\",\"online\"]}}",
            AvailabilityJson = "[\"weekday-afternoon\",\"weekend-morning\"]", Capacity = 2, UserId = volunteerUser.Id,
            VettingStatus = VettingStatus.Passed, VettingCheckedAt = now.AddDays(-20), VettingExpiresAt = now.AddYears(1), VettingReference = "云公查2026-0088",
            CreatedByUserId = "demo", CreatedAt = now, UpdatedAt = now, Version = 1,
        });
        var today = DateOnly.FromDateTime(now);
        db.Providers.Add(new Provider
        {
            Id = Ids.New(), Kind = ProviderKind.Programme, DisplayName = "七彩假期·防溺水安全营", RegionCode = nanxi.Code, RegionPath = nanxi.Path,
            CoveredPathsJson = $"[\"{nanxi.Path}\"]", LinesJson = "[\"holiday-activities\"]",
            OfferJson = "{\"holiday-activities\":{\"activities\":[\"safety-education\",\"sport\"],\"period\":\"winter\"}}",
            AvailabilityJson = "[]", Capacity = 20, OrganisationId = youthLeague.Id, StartsOn = today.AddDays(30), EndsOn = today.AddDays(40),
            AgeMin = 6, AgeMax = 14, FundingSource = "团县委专项", CreatedByUserId = "demo", CreatedAt = now, UpdatedAt = now, Version = 1,
        });

        void Child(string given, string family, Gender gender, int age, ChildCategory category, RiskLevel risk, string situation)
        {
            db.Children.Add(new ChildFile
            {
                Id = Ids.New(), GivenName = given, FamilyName = family, Gender = gender, BirthDate = today.AddYears(-age).AddDays(-40),
                VillageCode = pingan.Code, RegionPath = pingan.Path, Category = category, GuardianSituation = situation, RiskLevel = risk,
                ConsentBy = "祖母", ConsentRelation = "grandmother", ConsentRecordedAt = now.AddDays(-30),
                // The grandmother consented to all three purposes (matching, services, data-sharing).
                ConsentPurposesJson = System.Text.Json.JsonSerializer.Serialize(Children.ConsentPurposes.All),
                CreatedByUserId = "demo", CreatedAt = now, UpdatedAt = now, Version = 1,
            });
        }
        Child("小花", "王", Gender.Female, 9, ChildCategory.LeftBehind, RiskLevel.Medium, "父母均在广东务工，由祖母照料");
        Child("小明", "李", Gender.Male, 12, ChildCategory.LeftBehind, RiskLevel.Low, "父母均在外务工，由祖父母照料");
        Child("小雨", "陈", Gender.Female, 14, ChildCategory.InDifficulty, RiskLevel.High, "父亲服刑，母亲离家，由姑姑照料");

        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Demo county seeded: users admin, civil, supervisor, director, fulian, tuanwei, shegong, volunteer; password {Password}.", Password);
    }
}
