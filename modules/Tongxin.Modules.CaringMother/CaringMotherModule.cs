using Tongxin.Modules.Contracts;
using static Tongxin.Modules.CaringMother.CaringMotherSchema;

namespace Tongxin.Modules.CaringMother;

/// <summary>
/// 爱心妈妈: a woman volunteer paired one to one and for the long term with a child, for life help
/// and emotional comfort (Feng county plan 003 §11, led by the women's federation).
/// </summary>
[ServiceLine("caring-mother")]
public sealed class CaringMotherModule : ServiceLineModule
{
    private static readonly TextResources Texts = TextResources.FromEmbeddedJson(typeof(CaringMotherModule).Assembly);

    public override ModuleInfo Info { get; } =
        new("caring-mother", Texts["module.name"], "1.0.0", Texts["module.description"]);

    public override IReadOnlyList<FieldSpec> NeedDetailsSchema { get; } = CaringMotherSchema.NeedDetails(Texts);

    public override IReadOnlyList<FieldSpec> ProviderOfferSchema { get; } = CaringMotherSchema.ProviderOffer(Texts);

    /// <summary>Finding the right woman for a long pairing takes time: a month before the need escalates.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromDays(30);

    public override DateTime WaitUntil(WaitContext context) => context.Need.RequestedAtUtc + Wait;

    /// <summary>One to one: a Caring Mother takes one child at a time, unless her registration says she takes more.</summary>
    public override int DefaultCapacity => 1;

    public override Eligibility CheckEligibility(MatchCandidate candidate)
    {
        var provider = candidate.Provider;
        // A pairing is with one person who visits the child, never with an organisation.
        if (provider.Kind != ProviderKind.Volunteer)
        {
            return Eligibility.No("caring-mother.volunteers-only", Texts["reason.volunteers-only"]);
        }

        // Whatever else is true, a man (or a volunteer whose gender is not recorded) is never offered this pairing.
        if (!string.Equals(provider.Gender?.Trim(), Female, StringComparison.OrdinalIgnoreCase))
        {
            return Eligibility.No("caring-mother.women-only", Texts["reason.women-only"]);
        }

        if (candidate.Proximity > Proximity.SameCounty)
        {
            return Eligibility.No("caring-mother.outside-county", Texts["reason.outside-county"]);
        }

        return Eligibility.Yes;
    }

    public override IEnumerable<ScorePart> Score(MatchCandidate candidate)
    {
        // A long-term pairing lives on visits, so being near counts for much on this line.
        string? nearnessKey = candidate.Proximity switch
        {
            Proximity.SameVillage => "score.same-village",
            Proximity.SameTown => "score.same-town",
            Proximity.SameCounty => "score.same-county",
            _ => null,
        };
        if (nearnessKey is not null)
        {
            yield return new ScorePart("caring-mother.nearness", Texts[nearnessKey], NearnessPoints(candidate.Proximity));
        }

        // The share of what the child needs that she offers; a share, not a count, so ticking every box does not help.
        var wanted = candidate.Need.Details.GetStrings(SupportKinds).Distinct(StringComparer.Ordinal).ToList();
        if (wanted.Count > 0)
        {
            var matched = wanted.Intersect(candidate.Provider.Offer.GetStrings(SupportKinds), StringComparer.Ordinal).Count();
            yield return new ScorePart("caring-mother.support-overlap",
                Texts["score.support-overlap"].Format(matched, wanted.Count),
                (int)Math.Round(100.0 * matched / wanted.Count, MidpointRounding.AwayFromZero));
        }
    }

    /// <summary>Same village 100, same town 60, same county 20.</summary>
    private static int NearnessPoints(Proximity proximity) => proximity switch
    {
        Proximity.SameVillage => 100,
        Proximity.SameTown => 60,
        Proximity.SameCounty => 20,
        _ => 0,
    };
}
