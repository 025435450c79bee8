using Tongxin.Modules.CaringMother;
using Tongxin.Modules.Contracts;
using static Tongxin.UnitTests.Modules.Facts;

namespace Tongxin.UnitTests.Modules;

public sealed class CaringMotherModuleTests
{
    private const string ValidNeed = """{ "supportKinds": ["daily-life", "emotional-comfort"] }""";

    private const string ValidOffer = """{ "supportKinds": ["emotional-comfort", "festival-visits"] }""";

    private readonly CaringMotherModule _module = new();

    private static MatchCandidate Pair(ProviderFacts? provider = null, Proximity proximity = Proximity.SameVillage, string need = ValidNeed) =>
        Candidate(Need("caring-mother", need), provider ?? Volunteer(ValidOffer, gender: "female"), proximity);

    // --- need details -------------------------------------------------------------------------

    [Fact]
    public void ValidNeedDetailsHaveNoErrors()
    {
        Assert.Empty(_module.ValidateNeedDetails(Json(ValidNeed)));
        Assert.Empty(_module.ValidateNeedDetails(With(ValidNeed, "notes", "\"奶奶年纪大，孩子周末常一个人在家\"")));
    }

    [Theory]
    [InlineData("supportKinds", null)]
    [InlineData("supportKinds", "[]")]
    [InlineData("supportKinds", "[\"money\"]")]
    [InlineData("supportKinds", "\"daily-life\"")]
    [InlineData("notes", "[]")]
    [InlineData("motherName", "\"王芳\"")]
    public void NeedDetailsWithAMissingWrongOrUnknownValueGiveAnErrorOnThatField(string field, string? value)
    {
        AssertSingleErrorOn(_module.ValidateNeedDetails(With(ValidNeed, field, value)), field);
    }

    [Fact]
    public void NeedNotesLongerThan500CharactersGiveAnErrorOnNotes()
    {
        AssertSingleErrorOn(_module.ValidateNeedDetails(With(ValidNeed, "notes", $"\"{new string('x', 501)}\"")), "notes");
    }

    // --- provider offer -----------------------------------------------------------------------

    [Fact]
    public void ValidOfferHasNoErrors()
    {
        Assert.Empty(_module.ValidateProviderOffer(Json(ValidOffer)));
    }

    [Theory]
    [InlineData("supportKinds", null)]
    [InlineData("supportKinds", "[]")]
    [InlineData("supportKinds", "[\"money\"]")]
    [InlineData("notes", "\"not part of an offer\"")]
    public void OfferWithAMissingWrongOrUnknownValueGivesAnErrorOnThatField(string field, string? value)
    {
        AssertSingleErrorOn(_module.ValidateProviderOffer(With(ValidOffer, field, value)), field);
    }

    // --- eligibility --------------------------------------------------------------------------

    [Theory]
    [InlineData(Proximity.SameVillage)]
    [InlineData(Proximity.SameTown)]
    [InlineData(Proximity.SameCounty)]
    public void WomanVolunteerInTheCountyIsEligible(Proximity proximity)
    {
        Assert.True(_module.CheckEligibility(Pair(proximity: proximity)).IsEligible);
    }

    [Fact]
    public void GenderIsComparedWithoutRegardToCase()
    {
        Assert.True(_module.CheckEligibility(Pair(Volunteer(ValidOffer, gender: "Female"))).IsEligible);
    }

    [Theory]
    [InlineData("male")]
    [InlineData("Male")]
    [InlineData("")]
    [InlineData(null)]
    public void ManOrVolunteerOfUnrecordedGenderIsNeverEligible(string? gender)
    {
        // Never: not in the same village, not with every kind of support the child needs.
        var perfectOffer = """{ "supportKinds": ["daily-life", "emotional-comfort", "study-encouragement", "festival-visits"] }""";
        foreach (var proximity in Enum.GetValues<Proximity>())
        {
            AssertNotEligible(_module.CheckEligibility(Pair(Volunteer(perfectOffer, gender: gender), proximity)), "caring-mother.women-only");
        }
    }

    [Fact]
    public void ProgrammeIsNotEligible()
    {
        AssertNotEligible(_module.CheckEligibility(Pair(Programme(ValidOffer))), "caring-mother.volunteers-only");
    }

    [Fact]
    public void WomanVolunteerOutsideTheCountyIsNotEligible()
    {
        AssertNotEligible(_module.CheckEligibility(Pair(proximity: Proximity.OutsideCounty)), "caring-mother.outside-county");
    }

    // --- score --------------------------------------------------------------------------------

    [Fact]
    public void ScorePartsAreNamedForTheLineAndLabelledInBothLanguages()
    {
        AssertWellFormed(_module.Score(Pair()), "caring-mother");
    }

    [Fact]
    public void SameVillageScoresAboveSameTownAboveSameCounty()
    {
        var village = Part(_module.Score(Pair(proximity: Proximity.SameVillage)), "caring-mother.nearness").Points;
        var town = Part(_module.Score(Pair(proximity: Proximity.SameTown)), "caring-mother.nearness").Points;
        var county = Part(_module.Score(Pair(proximity: Proximity.SameCounty)), "caring-mother.nearness").Points;

        Assert.True(village > town);
        Assert.True(town > county);
        Assert.True(county > 0);
    }

    [Theory]
    [InlineData("""{ "supportKinds": ["emotional-comfort"] }""", 50)]
    [InlineData("""{ "supportKinds": ["daily-life", "emotional-comfort"] }""", 100)]
    [InlineData("""{ "supportKinds": ["study-encouragement"] }""", 0)]
    public void SupportOverlapIsTheShareOfWhatTheChildNeedsThatSheOffers(string offer, int expectedPoints)
    {
        Assert.Equal(expectedPoints, Part(_module.Score(Pair(Volunteer(offer))), "caring-mother.support-overlap").Points);
    }
}
