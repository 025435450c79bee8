using Tongxin.Modules.Contracts;
using Tongxin.Modules.HolidayActivities;
using static Tongxin.UnitTests.Modules.Facts;

namespace Tongxin.UnitTests.Modules;

public sealed class HolidayActivitiesModuleTests
{
    private const string ValidNeed = """{ "interests": ["reading", "sport"], "period": "summer", "hadActivityThisYear": false }""";

    private const string ValidOffer = """{ "activities": ["reading", "safety-education"], "period": "summer" }""";

    private readonly HolidayActivitiesModule _module = new();

    private static MatchCandidate Pair(string need = ValidNeed, ProviderFacts? provider = null, Proximity proximity = Proximity.SameCounty,
        int ageYears = 10) =>
        Candidate(Need("holiday-activities", need, ageYears: ageYears), provider ?? Programme(ValidOffer), proximity);

    // --- need details -------------------------------------------------------------------------

    [Fact]
    public void ValidNeedDetailsHaveNoErrors()
    {
        Assert.Empty(_module.ValidateNeedDetails(Json(ValidNeed)));
    }

    [Fact]
    public void WhetherTheChildHadAnActivityThisYearIsOptional()
    {
        Assert.Empty(_module.ValidateNeedDetails(With(ValidNeed, "hadActivityThisYear", null)));
    }

    [Theory]
    [InlineData("interests", null)]
    [InlineData("interests", "[]")]
    [InlineData("interests", "[\"gaming\"]")]
    [InlineData("period", null)]
    [InlineData("period", "\"spring\"")]
    [InlineData("hadActivityThisYear", "\"no\"")]
    [InlineData("hadActivityThisYear", "0")]
    [InlineData("shoeSize", "34")]
    public void NeedDetailsWithAMissingWrongOrUnknownValueGiveAnErrorOnThatField(string field, string? value)
    {
        AssertSingleErrorOn(_module.ValidateNeedDetails(With(ValidNeed, field, value)), field);
    }

    // --- provider offer -----------------------------------------------------------------------

    [Fact]
    public void ValidOfferHasNoErrors()
    {
        Assert.Empty(_module.ValidateProviderOffer(Json(ValidOffer)));
    }

    [Theory]
    [InlineData("activities", null)]
    [InlineData("activities", "[]")]
    [InlineData("activities", "[\"gaming\"]")]
    [InlineData("period", null)]
    [InlineData("period", "\"spring\"")]
    [InlineData("price", "0")]
    public void OfferWithAMissingWrongOrUnknownValueGivesAnErrorOnThatField(string field, string? value)
    {
        AssertSingleErrorOn(_module.ValidateProviderOffer(With(ValidOffer, field, value)), field);
    }

    // --- eligibility --------------------------------------------------------------------------

    [Fact]
    public void ProgrammeInTheCountyForThePeriodIsEligible()
    {
        Assert.True(_module.CheckEligibility(Pair()).IsEligible);
    }

    [Fact]
    public void IndividualVolunteerIsNotEligible()
    {
        AssertNotEligible(_module.CheckEligibility(Pair(provider: Volunteer(ValidOffer))), "holiday-activities.programmes-only");
    }

    [Theory]
    [InlineData(5)]
    [InlineData(13)]
    public void ChildOutsideTheProgrammesAgeRangeIsNotEligible(int ageYears)
    {
        var programme = Programme(ValidOffer, ageMin: 6, ageMax: 12);
        AssertNotEligible(_module.CheckEligibility(Pair(provider: programme, ageYears: ageYears)), "holiday-activities.age-out-of-range");
    }

    [Theory]
    [InlineData(6)]
    [InlineData(12)]
    public void AgeRangeBoundsAreInclusive(int ageYears)
    {
        var programme = Programme(ValidOffer, ageMin: 6, ageMax: 12);
        Assert.True(_module.CheckEligibility(Pair(provider: programme, ageYears: ageYears)).IsEligible);
    }

    [Fact]
    public void AgeRangeWithOnlyALowerBoundAcceptsAnyOlderChild()
    {
        var programme = Programme(ValidOffer, ageMin: 8);
        Assert.True(_module.CheckEligibility(Pair(provider: programme, ageYears: 15)).IsEligible);
        AssertNotEligible(_module.CheckEligibility(Pair(provider: programme, ageYears: 7)), "holiday-activities.age-out-of-range");
    }

    [Fact]
    public void ProgrammeThatHasEndedIsNotEligible()
    {
        var ended = Programme(ValidOffer, endsOn: Today.AddDays(-1));
        AssertNotEligible(_module.CheckEligibility(Pair(provider: ended)), "holiday-activities.programme-ended");
    }

    [Fact]
    public void ProgrammeEndingTodayIsStillEligible()
    {
        Assert.True(_module.CheckEligibility(Pair(provider: Programme(ValidOffer, endsOn: Today))).IsEligible);
    }

    [Fact]
    public void ProgrammeInAnotherPeriodIsNotEligible()
    {
        var winterCamp = Programme(Set(ValidOffer, ("period", "\"winter\"")));
        AssertNotEligible(_module.CheckEligibility(Pair(provider: winterCamp)), "holiday-activities.period-mismatch");
    }

    [Fact]
    public void ProgrammeOutsideTheCountyIsNotEligible()
    {
        AssertNotEligible(_module.CheckEligibility(Pair(proximity: Proximity.OutsideCounty)), "holiday-activities.outside-county");
    }

    // --- score --------------------------------------------------------------------------------

    [Fact]
    public void ScorePartsAreNamedForTheLineAndLabelledInBothLanguages()
    {
        AssertWellFormed(_module.Score(Pair()), "holiday-activities");
    }

    [Theory]
    [InlineData("[\"reading\", \"sport\"]", 50)]
    [InlineData("[\"reading\", \"safety-education\"]", 100)]
    [InlineData("[\"arts\"]", 0)]
    public void InterestOverlapIsTheShareOfTheChildsInterestsTheProgrammeCovers(string interests, int expectedPoints)
    {
        var part = Part(_module.Score(Pair(need: Set(ValidNeed, ("interests", interests)))), "holiday-activities.interest-overlap");
        Assert.Equal(expectedPoints, part.Points);
    }

    [Theory]
    [InlineData("false")]
    [InlineData(null)]
    public void ChildWithNoActivityThisYearGetsTheFirstActivityBonus(string? hadActivityThisYear)
    {
        var part = Part(_module.Score(Pair(need: Set(ValidNeed, ("hadActivityThisYear", hadActivityThisYear)))),
            "holiday-activities.first-activity-this-year");
        Assert.True(part.Points > 0);
    }

    [Fact]
    public void ChildWhoHadAnActivityThisYearGetsNoFirstActivityBonus()
    {
        Assert.DoesNotContain(_module.Score(Pair(need: Set(ValidNeed, ("hadActivityThisYear", "true")))),
            p => p.Code == "holiday-activities.first-activity-this-year");
    }
}
