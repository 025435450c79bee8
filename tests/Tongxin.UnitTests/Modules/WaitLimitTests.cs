using Tongxin.Modules.CaringMother;
using Tongxin.Modules.Contracts;
using Tongxin.Modules.Counselling;
using Tongxin.Modules.HolidayActivities;
using Tongxin.Modules.Tutoring;
using static Tongxin.UnitTests.Modules.Facts;

namespace Tongxin.UnitTests.Modules;

/// <summary>How long each line lets a need wait before it escalates to the town (issue 8 defaults).</summary>
public sealed class WaitLimitTests
{
    private static readonly DateTime Requested = new(2025, 6, 1, 0, 0, 0, DateTimeKind.Utc);

    private static WaitContext Context(string line, bool urgent = false, params DateOnly[] starts) =>
        new(Need(line, "{}", urgent: urgent), starts);

    [Fact]
    public void UrgentCounsellingWaitsThreeDaysAndOtherCounsellingTwoWeeks()
    {
        var module = new CounsellingModule();
        Assert.Equal(Requested.AddDays(3), module.WaitUntil(Context("counselling", urgent: true)));
        Assert.Equal(Requested.AddDays(14), module.WaitUntil(Context("counselling")));
    }

    [Fact]
    public void ACaringMotherMayTakeAMonthAndATutorTwoWeeks()
    {
        Assert.Equal(Requested.AddDays(30), new CaringMotherModule().WaitUntil(Context("caring-mother")));
        Assert.Equal(Requested.AddDays(14), new TutoringModule().WaitUntil(Context("tutoring", urgent: true)));
    }

    [Fact]
    public void AHolidayNeedWaitsUntilTheFirstProgrammeThatCouldTakeTheChildStarts()
    {
        var module = new HolidayActivitiesModule();
        // Midnight of the start day in China is 16:00 UTC the day before.
        Assert.Equal(new DateTime(2025, 7, 9, 16, 0, 0, DateTimeKind.Utc),
            module.WaitUntil(Context("holiday-activities", false, new DateOnly(2025, 7, 10), new DateOnly(2025, 8, 1))));
        // A programme that started already (or starts the day the need was asked) is no deadline.
        Assert.Equal(new DateTime(2025, 7, 31, 16, 0, 0, DateTimeKind.Utc),
            module.WaitUntil(Context("holiday-activities", false, new DateOnly(2025, 6, 1), new DateOnly(2025, 8, 1))));
        Assert.Equal(Requested.AddDays(14), module.WaitUntil(Context("holiday-activities")));
    }

    [Fact]
    public void ALineThatDoesNotSayWaitsTwoWeeks()
    {
        IServiceLineModule plugIn = new SilentLine();
        Assert.Equal(Requested.AddDays(14), plugIn.WaitUntil(Context("silent")));
    }

    /// <summary>An implementation written before lines could say how long they wait: the interface's default applies.</summary>
    private sealed class SilentLine : IServiceLineModule
    {
        public ModuleInfo Info => throw new NotSupportedException();
        public IReadOnlyList<FieldSpec> NeedDetailsSchema => [];
        public IReadOnlyList<FieldSpec> ProviderOfferSchema => [];
        public IReadOnlyList<FieldError> ValidateNeedDetails(System.Text.Json.JsonElement details) => [];
        public IReadOnlyList<FieldError> ValidateProviderOffer(System.Text.Json.JsonElement offer) => [];
        public Eligibility CheckEligibility(MatchCandidate candidate) => Eligibility.Yes;
        public IEnumerable<ScorePart> Score(MatchCandidate candidate) => [];
        public void ConfigureServices(Microsoft.Extensions.DependencyInjection.IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration configuration) { }
        public void MapEndpoints(Microsoft.AspNetCore.Routing.IEndpointRouteBuilder endpoints) { }
    }
}
