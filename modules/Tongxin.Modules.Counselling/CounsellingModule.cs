using System.Globalization;
using Tongxin.Modules.Contracts;
using static Tongxin.Modules.Counselling.CounsellingSchema;

namespace Tongxin.Modules.Counselling;

/// <summary>
/// 心理辅导: one-to-one emotional support and counselling by qualified counsellors or social
/// workers, for children flagged by screening or by their child director (000 §2, 003 §2).
/// </summary>
[ServiceLine("counselling")]
public sealed class CounsellingModule : ServiceLineModule
{
    private static readonly TextResources Texts = TextResources.FromEmbeddedJson(typeof(CounsellingModule).Assembly);

    public override ModuleInfo Info { get; } =
        new("counselling", Texts["module.name"], "1.0.0", Texts["module.description"]);

    public override IReadOnlyList<FieldSpec> NeedDetailsSchema { get; } = CounsellingSchema.NeedDetails(Texts);

    public override IReadOnlyList<FieldSpec> ProviderOfferSchema { get; } = CounsellingSchema.ProviderOffer(Texts);

    /// <summary>An urgent need for counselling may wait 3 days before the town supervisor hears of it; others two weeks.</summary>
    public static readonly TimeSpan UrgentWait = TimeSpan.FromDays(3);

    public override DateTime WaitUntil(WaitContext context) =>
        context.Need.RequestedAtUtc + (context.Need.Urgent ? UrgentWait : DefaultWait);

    public override Eligibility CheckEligibility(MatchCandidate candidate)
    {
        var offer = candidate.Provider.Offer;
        // Counselling is given only by a qualified person; a kind volunteer is offered other lines.
        if (!offer.GetStrings(Qualifications).Any(QualificationValues.Contains))
        {
            return Eligibility.No("counselling.no-qualification", Texts["reason.no-qualification"]);
        }

        var mode = candidate.Need.Details.GetString(Mode) ?? "";
        if (!offer.GetStrings(Modes).Contains(mode))
        {
            return Eligibility.No("counselling.mode-mismatch", Fill(Texts["reason.mode-mismatch"], ModeLabel(mode)));
        }

        // Sessions in person are weekly or more, so the counsellor must be within the child's town.
        if (mode == InPerson && candidate.Proximity > Proximity.SameTown)
        {
            return Eligibility.No("counselling.in-person-too-far", Texts["reason.in-person-too-far"]);
        }
        if (candidate.Proximity > Proximity.SameCounty)
        {
            return Eligibility.No("counselling.outside-county", Texts["reason.outside-county"]);
        }

        return Eligibility.Yes;
    }

    public override IEnumerable<ScorePart> Score(MatchCandidate candidate)
    {
        var need = candidate.Need;

        // A child who has already opened up to a counsellor should keep that counsellor.
        if (need.PreviousProviderIds.Contains(candidate.Provider.ProviderId))
        {
            yield return new ScorePart("counselling.continuity", Texts["score.continuity"], 100);
        }

        var reason = need.Details.GetString(ReasonCategory);
        if (reason is not null && candidate.Provider.Offer.GetStrings(Specialties).Contains(reason))
        {
            yield return new ScorePart("counselling.specialty", Fill(Texts["score.specialty"], ReasonLabel(reason)), 50);
        }

        // An urgent case is best met face to face by someone who can be there the same day.
        if (need.Urgent && need.Details.GetString(Mode) == InPerson && candidate.Proximity <= Proximity.SameTown)
        {
            yield return new ScorePart("counselling.urgent-nearby", Texts["score.urgent-nearby"],
                candidate.Proximity == Proximity.SameVillage ? 60 : 40);
        }
    }

    private static LocalizedText ModeLabel(string mode) =>
        ModeValues.Contains(mode) ? Label(Texts, "mode", mode) : new LocalizedText(mode, mode);

    private static LocalizedText ReasonLabel(string reason) =>
        ReasonValues.Contains(reason) ? Label(Texts, "reason-category", reason) : new LocalizedText(reason, reason);

    /// <summary>Fills a template with texts that are themselves in both languages (Chinese into Chinese).</summary>
    private static LocalizedText Fill(LocalizedText template, params LocalizedText[] args) =>
        new(string.Format(CultureInfo.InvariantCulture, template.Zh, args.Select(a => (object)a.Zh).ToArray()),
            string.Format(CultureInfo.InvariantCulture, template.En, args.Select(a => (object)a.En).ToArray()));
}
