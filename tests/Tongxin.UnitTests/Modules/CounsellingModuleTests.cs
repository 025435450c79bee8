using Tongxin.Modules.Contracts;
using Tongxin.Modules.Counselling;
using static Tongxin.UnitTests.Modules.Facts;

namespace Tongxin.UnitTests.Modules;

public sealed class CounsellingModuleTests
{
    private const string ValidNeed = """{ "reasonCategory": "emotional", "mode": "in-person" }""";

    private const string ValidOffer =
        """{ "qualifications": ["social-worker"], "modes": ["in-person", "phone", "online"], "specialties": ["bereavement"] }""";

    private const string CounsellorId = "counsellor-7";

    private readonly CounsellingModule _module = new();

    private static MatchCandidate Pair(string need = ValidNeed, string offer = ValidOffer, Proximity proximity = Proximity.SameVillage,
        bool urgent = false, IReadOnlyCollection<string>? previousProviderIds = null) =>
        Candidate(Need("counselling", need, urgent: urgent, previousProviderIds: previousProviderIds),
            Volunteer(offer, id: CounsellorId), proximity);

    // --- need details -------------------------------------------------------------------------

    [Fact]
    public void ValidNeedDetailsHaveNoErrors()
    {
        Assert.Empty(_module.ValidateNeedDetails(Json(ValidNeed)));
        Assert.Empty(_module.ValidateNeedDetails(With(ValidNeed, "notes", "\"孩子最近不爱说话\"")));
    }

    [Theory]
    [InlineData("reasonCategory", null)]
    [InlineData("reasonCategory", "\"sadness\"")]
    [InlineData("mode", null)]
    [InlineData("mode", "\"letter\"")]
    [InlineData("mode", "[\"phone\"]")]
    [InlineData("notes", "true")]
    [InlineData("diagnosis", "\"depression\"")]
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
    [InlineData(null)]
    [InlineData("[]")]
    public void SpecialtiesAreOptional(string? specialties)
    {
        Assert.Empty(_module.ValidateProviderOffer(With(ValidOffer, "specialties", specialties)));
    }

    [Theory]
    [InlineData("qualifications", null)]
    [InlineData("qualifications", "[]")]
    [InlineData("qualifications", "[\"kind-neighbour\"]")]
    [InlineData("modes", null)]
    [InlineData("modes", "[]")]
    [InlineData("modes", "[\"letter\"]")]
    [InlineData("specialties", "[\"astrology\"]")]
    [InlineData("licenceNumber", "\"A123\"")]
    public void OfferWithAMissingWrongOrUnknownValueGivesAnErrorOnThatField(string field, string? value)
    {
        AssertSingleErrorOn(_module.ValidateProviderOffer(With(ValidOffer, field, value)), field);
    }

    // --- eligibility --------------------------------------------------------------------------

    [Fact]
    public void QualifiedCounsellorInTheVillageIsEligible()
    {
        Assert.True(_module.CheckEligibility(Pair()).IsEligible);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData(null)]
    public void ProviderWithoutAQualificationIsNotEligible(string? qualifications)
    {
        AssertNotEligible(_module.CheckEligibility(Pair(offer: Set(ValidOffer, ("qualifications", qualifications)))),
            "counselling.no-qualification");
    }

    [Fact]
    public void CounsellorWhoDoesNotOfferTheModeIsNotEligible()
    {
        AssertNotEligible(_module.CheckEligibility(Pair(offer: Set(ValidOffer, ("modes", "[\"phone\", \"online\"]")))),
            "counselling.mode-mismatch");
    }

    [Fact]
    public void InPersonCounsellingWithinTheTownIsEligibleButNotAcrossTowns()
    {
        Assert.True(_module.CheckEligibility(Pair(proximity: Proximity.SameTown)).IsEligible);
        AssertNotEligible(_module.CheckEligibility(Pair(proximity: Proximity.SameCounty)), "counselling.in-person-too-far");
    }

    [Theory]
    [InlineData("phone")]
    [InlineData("online")]
    public void PhoneAndOnlineCounsellingReachTheWholeCountyButNoFurther(string mode)
    {
        var need = Set(ValidNeed, ("mode", $"\"{mode}\""));
        Assert.True(_module.CheckEligibility(Pair(need: need, proximity: Proximity.SameCounty)).IsEligible);
        AssertNotEligible(_module.CheckEligibility(Pair(need: need, proximity: Proximity.OutsideCounty)), "counselling.outside-county");
    }

    // --- score --------------------------------------------------------------------------------

    [Fact]
    public void ScorePartsAreNamedForTheLineAndLabelledInBothLanguages()
    {
        AssertWellFormed(_module.Score(Pair(need: Set(ValidNeed, ("reasonCategory", "\"bereavement\"")), urgent: true,
            previousProviderIds: [CounsellorId])), "counselling");
    }

    [Fact]
    public void CounsellorWhoHasSeenTheChildBeforeGetsTheContinuityBonus()
    {
        var continuity = Part(_module.Score(Pair(previousProviderIds: ["someone-else", CounsellorId])), "counselling.continuity");
        Assert.Equal(100, continuity.Points);
    }

    [Fact]
    public void NewCounsellorGetsNoContinuityBonus()
    {
        Assert.DoesNotContain(_module.Score(Pair(previousProviderIds: ["someone-else"])), p => p.Code == "counselling.continuity");
    }

    [Fact]
    public void ContinuityOutweighsASpecialtyMatch()
    {
        var continuity = Part(_module.Score(Pair(previousProviderIds: [CounsellorId])), "counselling.continuity");
        var specialty = Part(_module.Score(Pair(need: Set(ValidNeed, ("reasonCategory", "\"bereavement\"")))), "counselling.specialty");
        Assert.True(continuity.Points > specialty.Points);
    }

    [Fact]
    public void SpecialtyMatchingTheReasonScoresAndNamesTheSpecialty()
    {
        var specialty = Part(_module.Score(Pair(need: Set(ValidNeed, ("reasonCategory", "\"bereavement\"")))), "counselling.specialty");
        Assert.Equal(50, specialty.Points);
        Assert.Contains("亲人离世", specialty.Label.Zh, StringComparison.Ordinal);
        Assert.Contains("Bereavement", specialty.Label.En, StringComparison.Ordinal);
    }

    [Fact]
    public void NoSpecialtyPartWhenTheSpecialtiesDoNotCoverTheReason()
    {
        Assert.DoesNotContain(_module.Score(Pair()), p => p.Code == "counselling.specialty");
    }

    [Fact]
    public void UrgentInPersonNeedPrefersACounsellorCloseBy()
    {
        var village = Part(_module.Score(Pair(urgent: true, proximity: Proximity.SameVillage)), "counselling.urgent-nearby");
        var town = Part(_module.Score(Pair(urgent: true, proximity: Proximity.SameTown)), "counselling.urgent-nearby");
        Assert.True(village.Points > town.Points);
        Assert.True(town.Points > 0);
    }

    [Fact]
    public void NoUrgentNearbyBonusWhenTheNeedIsNotUrgentOrNotInPerson()
    {
        Assert.DoesNotContain(_module.Score(Pair(urgent: false)), p => p.Code == "counselling.urgent-nearby");
        Assert.DoesNotContain(_module.Score(Pair(need: Set(ValidNeed, ("mode", "\"phone\"")), urgent: true)),
            p => p.Code == "counselling.urgent-nearby");
    }
}
