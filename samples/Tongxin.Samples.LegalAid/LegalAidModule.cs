using System.Globalization;
using Microsoft.AspNetCore.Routing;
using Tongxin.Modules.Contracts;
using static Tongxin.Samples.LegalAid.LegalAidSchema;

namespace Tongxin.Samples.LegalAid;

/// <summary>
/// 法律援助: free legal aid for children in difficulty, e.g. guardianship and compensation cases
/// (001 §4, Banan 002: the justice bureau gives free legal aid to poor left-behind children).
/// A sample of a line added without touching the host: it is loaded from the plug-in folder. Beyond matching it keeps
/// its own table of cases (<see cref="LegalAidDbContext"/>) behind two endpoints under <c>/api/lines/legal-aid</c>, which
/// the host's pipeline checks by role, by the child's region and audits, as its own (<see cref="LegalAidCases"/>).
/// </summary>
[ServiceLine("legal-aid", Startup = typeof(LegalAidStartup))]
public sealed class LegalAidModule : ServiceLineModule
{
    internal static readonly TextResources Texts = TextResources.FromEmbeddedJson(typeof(LegalAidModule).Assembly);

    public override ModuleInfo Info { get; } =
        new("legal-aid", Texts["module.name"], "1.0.0", Texts["module.description"]);

    public override IReadOnlyList<FieldSpec> NeedDetailsSchema { get; } = LegalAidSchema.NeedDetails(Texts);

    public override IReadOnlyList<FieldSpec> ProviderOfferSchema { get; } = LegalAidSchema.ProviderOffer(Texts);

    public override Eligibility CheckEligibility(MatchCandidate candidate)
    {
        var offer = candidate.Provider.Offer;
        // Only a practising lawyer or legal-aid worker may take a child's case.
        if (offer.GetBool(Licensed) != true)
        {
            return Eligibility.No("legal-aid.not-licensed", Texts["reason.not-licensed"]);
        }

        var caseKind = candidate.Need.Details.GetString(CaseKind) ?? "";
        if (!offer.GetStrings(Specialties).Contains(caseKind))
        {
            return Eligibility.No("legal-aid.specialty-mismatch", Fill(Texts["reason.specialty-mismatch"], CaseKindLabel(caseKind)));
        }

        return Eligibility.Yes;
    }

    public override IEnumerable<ScorePart> Score(MatchCandidate candidate)
    {
        // Cases need meetings with the guardian and the school; a lawyer in the child's town saves them a trip.
        if (candidate.Proximity <= Proximity.SameTown)
        {
            yield return new ScorePart("legal-aid.nearby", Texts["score.nearby"], 50);
        }
    }

    public override void MapEndpoints(IEndpointRouteBuilder endpoints) => LegalAidCases.Map(endpoints);

    private static LocalizedText CaseKindLabel(string caseKind) =>
        CaseKindValues.Contains(caseKind) ? Label(Texts, caseKind) : new LocalizedText(caseKind, caseKind);

    /// <summary>Fills a template with texts that are themselves in both languages (Chinese into Chinese).</summary>
    private static LocalizedText Fill(LocalizedText template, params LocalizedText[] args) =>
        new(string.Format(CultureInfo.InvariantCulture, template.Zh, args.Select(a => (object)a.Zh).ToArray()),
            string.Format(CultureInfo.InvariantCulture, template.En, args.Select(a => (object)a.En).ToArray()));
}
