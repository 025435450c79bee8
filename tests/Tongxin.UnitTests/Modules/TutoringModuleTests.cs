using Tongxin.Modules.Contracts;
using Tongxin.Modules.Tutoring;
using static Tongxin.UnitTests.Modules.Facts;

namespace Tongxin.UnitTests.Modules;

public sealed class TutoringModuleTests
{
    private const string ValidNeed =
        """{ "subject": "maths", "grade": 5, "schedule": ["weekday-afternoon", "weekend-morning"], "mode": "in-person" }""";

    private const string ValidOffer =
        """{ "subjects": ["maths", "english"], "gradeMin": 3, "gradeMax": 7, "modes": ["in-person", "online"] }""";

    private readonly TutoringModule _module = new();

    private MatchCandidate Pair(string need = ValidNeed, string offer = ValidOffer, Proximity proximity = Proximity.SameVillage,
        IReadOnlyCollection<string>? availability = null) =>
        Candidate(Need("tutoring", need), Volunteer(offer, availability: availability), proximity);

    private static string NeedWith(string field, string? value) => Set(ValidNeed, (field, value));

    private static string OfferWith(string field, string? value) => Set(ValidOffer, (field, value));

    // --- need details -------------------------------------------------------------------------

    [Fact]
    public void ValidNeedDetailsHaveNoErrors()
    {
        Assert.Empty(_module.ValidateNeedDetails(Json(ValidNeed)));
    }

    [Fact]
    public void NeedDetailsWithNotesUpTo500CharactersAreValid()
    {
        Assert.Empty(_module.ValidateNeedDetails(With(ValidNeed, "notes", $"\"{new string('字', 500)}\"")));
    }

    [Theory]
    [InlineData("subject", null)]
    [InlineData("subject", "\"music\"")]
    [InlineData("subject", "3")]
    [InlineData("grade", null)]
    [InlineData("grade", "13")]
    [InlineData("grade", "0")]
    [InlineData("grade", "\"five\"")]
    [InlineData("grade", "5.5")]
    [InlineData("schedule", null)]
    [InlineData("schedule", "[]")]
    [InlineData("schedule", "[\"midnight\"]")]
    [InlineData("schedule", "\"weekday-afternoon\"")]
    [InlineData("mode", null)]
    [InlineData("mode", "\"by-post\"")]
    [InlineData("notes", "42")]
    [InlineData("childName", "\"小明\"")]
    public void NeedDetailsWithAMissingWrongOrUnknownValueGiveAnErrorOnThatField(string field, string? value)
    {
        AssertSingleErrorOn(_module.ValidateNeedDetails(With(ValidNeed, field, value)), field);
    }

    [Fact]
    public void NeedNotesLongerThan500CharactersGiveAnErrorOnNotes()
    {
        AssertSingleErrorOn(_module.ValidateNeedDetails(With(ValidNeed, "notes", $"\"{new string('字', 501)}\"")), "notes");
    }

    // --- provider offer -----------------------------------------------------------------------

    [Fact]
    public void ValidOfferHasNoErrors()
    {
        Assert.Empty(_module.ValidateProviderOffer(Json(ValidOffer)));
    }

    [Fact]
    public void OfferForASingleGradeIsValid()
    {
        Assert.Empty(_module.ValidateProviderOffer(Json(OfferWith("gradeMax", "3"))));
    }

    [Theory]
    [InlineData("subjects", null)]
    [InlineData("subjects", "[]")]
    [InlineData("subjects", "[\"music\"]")]
    [InlineData("gradeMin", null)]
    [InlineData("gradeMin", "0")]
    [InlineData("gradeMax", null)]
    [InlineData("gradeMax", "13")]
    [InlineData("modes", null)]
    [InlineData("modes", "[]")]
    [InlineData("modes", "[\"by-post\"]")]
    [InlineData("hourlyRate", "50")]
    public void OfferWithAMissingWrongOrUnknownValueGivesAnErrorOnThatField(string field, string? value)
    {
        AssertSingleErrorOn(_module.ValidateProviderOffer(With(ValidOffer, field, value)), field);
    }

    [Fact]
    public void OfferWithLowestGradeAboveHighestGradeGivesAnErrorOnGradeMax()
    {
        AssertSingleErrorOn(_module.ValidateProviderOffer(With(ValidOffer, "gradeMin", "9")), "gradeMax");
    }

    [Fact]
    public void OfferWithAnOutOfRangeLowestGradeGivesOneErrorOnGradeMinOnly()
    {
        AssertSingleErrorOn(_module.ValidateProviderOffer(With(ValidOffer, "gradeMin", "13")), "gradeMin");
    }

    // --- eligibility --------------------------------------------------------------------------

    [Theory]
    [InlineData(Proximity.SameVillage)]
    [InlineData(Proximity.SameTown)]
    public void InPersonTutorWithinTheTownCoveringSubjectGradeAndTimeIsEligible(Proximity proximity)
    {
        Assert.True(_module.CheckEligibility(Pair(proximity: proximity)).IsEligible);
    }

    [Fact]
    public void TutorWhoDoesNotTeachTheSubjectIsNotEligible()
    {
        AssertNotEligible(_module.CheckEligibility(Pair(offer: OfferWith("subjects", "[\"english\", \"chinese\"]"))),
            "tutoring.subject-mismatch");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(8)]
    [InlineData(12)]
    public void ChildOutsideTheTutorsGradeBandIsNotEligible(int grade)
    {
        AssertNotEligible(_module.CheckEligibility(Pair(need: NeedWith("grade", grade.ToString()))), "tutoring.grade-out-of-range");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    public void GradeBandBoundsAreInclusive(int grade)
    {
        Assert.True(_module.CheckEligibility(Pair(need: NeedWith("grade", grade.ToString()))).IsEligible);
    }

    [Fact]
    public void OnlineOnlyTutorIsNotEligibleForAnInPersonNeed()
    {
        AssertNotEligible(_module.CheckEligibility(Pair(offer: OfferWith("modes", "[\"online\"]"))), "tutoring.mode-mismatch");
    }

    [Fact]
    public void TutorWithNoTimeInCommonWithTheChildIsNotEligible()
    {
        AssertNotEligible(_module.CheckEligibility(Pair(availability: [TimeSlots.WeekdayEvening, TimeSlots.WeekendEvening])),
            "tutoring.schedule-no-overlap");
    }

    [Fact]
    public void VolunteerWithNoAvailabilityIsNotEligible()
    {
        AssertNotEligible(_module.CheckEligibility(Pair(availability: [])), "tutoring.schedule-no-overlap");
    }

    [Fact]
    public void ProgrammeWithNoAvailabilityIsTakenAsTheWeekdayAfternoonClassroom()
    {
        var afternoonNeed = Need("tutoring", NeedWith("schedule", "[\"weekday-afternoon\"]"));
        var weekendNeed = Need("tutoring", NeedWith("schedule", "[\"weekend-morning\"]"));
        var classroom = Programme(ValidOffer, availability: []);

        Assert.True(_module.CheckEligibility(Candidate(afternoonNeed, classroom)).IsEligible);
        AssertNotEligible(_module.CheckEligibility(Candidate(weekendNeed, classroom)), "tutoring.schedule-no-overlap");
    }

    [Fact]
    public void InPersonTutoringAcrossTownsIsNotEligibleButOnlineIs()
    {
        AssertNotEligible(_module.CheckEligibility(Pair(proximity: Proximity.SameCounty)), "tutoring.in-person-too-far");
        Assert.True(_module.CheckEligibility(Pair(need: NeedWith("mode", "\"online\""), proximity: Proximity.SameCounty)).IsEligible);
    }

    [Fact]
    public void OnlineTutorOutsideTheCountyIsNotEligible()
    {
        AssertNotEligible(_module.CheckEligibility(Pair(need: NeedWith("mode", "\"online\""), proximity: Proximity.OutsideCounty)),
            "tutoring.outside-county");
    }

    // --- score --------------------------------------------------------------------------------

    [Fact]
    public void ScorePartsAreNamedForTheLineAndLabelledInBothLanguages()
    {
        AssertWellFormed(_module.Score(Pair()), "tutoring");
    }

    [Theory]
    [InlineData(5, 100)] // the middle of 3–7
    [InlineData(4, 75)]
    [InlineData(3, 50)] // an edge
    [InlineData(7, 50)]
    public void GradeFitIsHighestInTheMiddleOfTheTutorsBand(int grade, int expectedPoints)
    {
        Assert.Equal(expectedPoints, Part(_module.Score(Pair(need: NeedWith("grade", grade.ToString()))), "tutoring.grade-fit").Points);
    }

    [Fact]
    public void TutorWhoseBandIsTheChildsGradeFitsBetterThanATutorForAllGrades()
    {
        var specialist = Part(_module.Score(Pair(offer: Set(ValidOffer, ("gradeMin", "5"), ("gradeMax", "5")))), "tutoring.grade-fit");
        var generalist = Part(_module.Score(Pair(offer: Set(ValidOffer, ("gradeMin", "1"), ("gradeMax", "12")))), "tutoring.grade-fit");

        Assert.Equal(100, specialist.Points);
        Assert.True(specialist.Points > generalist.Points);
    }

    [Fact]
    public void ScheduleOverlapCountsTheSharedSlots()
    {
        var oneSlot = Part(_module.Score(Pair(availability: [TimeSlots.WeekdayAfternoon])), "tutoring.schedule-overlap");
        var twoSlots = Part(_module.Score(Pair(availability: [TimeSlots.WeekdayAfternoon, TimeSlots.WeekendMorning])), "tutoring.schedule-overlap");

        Assert.Equal(25, oneSlot.Points);
        Assert.Equal(50, twoSlots.Points);
        Assert.Contains("2", twoSlots.Label.Zh, StringComparison.Ordinal);
    }

    [Fact]
    public void InPersonTutorInTheSameVillageGetsABonus()
    {
        Assert.Equal(50, Part(_module.Score(Pair(proximity: Proximity.SameVillage)), "tutoring.same-village").Points);
    }

    [Fact]
    public void NoSameVillageBonusForAnotherVillageOrForOnlineTutoring()
    {
        Assert.DoesNotContain(_module.Score(Pair(proximity: Proximity.SameTown)), p => p.Code == "tutoring.same-village");
        Assert.DoesNotContain(_module.Score(Pair(need: NeedWith("mode", "\"online\""))), p => p.Code == "tutoring.same-village");
    }
}
