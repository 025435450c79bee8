using System.Globalization;
using Tongxin.Modules.Contracts;
using static Tongxin.Modules.HolidayActivities.HolidayActivitiesSchema;

namespace Tongxin.Modules.HolidayActivities;

/// <summary>
/// 七彩假期 / 寒暑假、节假日关爱活动: programmes with dates, places and seats in the winter and
/// summer holidays and at festivals (000 §5, 003 §11). Only programmes take part, not single volunteers.
/// </summary>
[ServiceLine("holiday-activities")]
public sealed class HolidayActivitiesModule : ServiceLineModule
{
    private static readonly TextResources Texts = TextResources.FromEmbeddedJson(typeof(HolidayActivitiesModule).Assembly);

    public override ModuleInfo Info { get; } =
        new("holiday-activities", Texts["module.name"], "1.0.0", Texts["module.description"]);

    public override IReadOnlyList<FieldSpec> NeedDetailsSchema { get; } = HolidayActivitiesSchema.NeedDetails(Texts);

    public override IReadOnlyList<FieldSpec> ProviderOfferSchema { get; } = HolidayActivitiesSchema.ProviderOffer(Texts);

    /// <summary>
    /// A holiday place is only worth something before the holiday: the need may wait until the first programme
    /// that could take the child starts (midnight, China time). With no such programme yet, two weeks.
    /// </summary>
    public override DateTime WaitUntil(WaitContext context)
    {
        var requestedOn = DateOnly.FromDateTime(context.Need.RequestedAtUtc.AddHours(8));
        foreach (var start in context.EligibleProgrammeStarts)
        {
            if (start > requestedOn)
            {
                return start.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).AddHours(-8);
            }
        }
        return context.Need.RequestedAtUtc + DefaultWait;
    }

    public override Eligibility CheckEligibility(MatchCandidate candidate)
    {
        var provider = candidate.Provider;
        if (provider.Kind != ProviderKind.Programme)
        {
            return Eligibility.No("holiday-activities.programmes-only", Texts["reason.programmes-only"]);
        }

        var age = candidate.Need.ChildAgeYears;
        if ((provider.AgeMin is { } ageMin && age < ageMin) || (provider.AgeMax is { } ageMax && age > ageMax))
        {
            return Eligibility.No("holiday-activities.age-out-of-range",
                Texts["reason.age-out-of-range"].Format(AgeBound(provider.AgeMin), AgeBound(provider.AgeMax), age));
        }

        if (provider.EndsOn is { } endsOn && endsOn < candidate.Today)
        {
            return Eligibility.No("holiday-activities.programme-ended",
                Texts["reason.programme-ended"].Format(endsOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        }

        var period = candidate.Need.Details.GetString(Period) ?? "";
        if (provider.Offer.GetString(Period) != period)
        {
            return Eligibility.No("holiday-activities.period-mismatch", Fill(Texts["reason.period-mismatch"], PeriodLabel(period)));
        }

        if (candidate.Proximity > Proximity.SameCounty)
        {
            return Eligibility.No("holiday-activities.outside-county", Texts["reason.outside-county"]);
        }

        return Eligibility.Yes;
    }

    public override IEnumerable<ScorePart> Score(MatchCandidate candidate)
    {
        var need = candidate.Need.Details;

        // The share of the child's interests the programme covers, not the raw count, so a form that
        // ticks every box does not push a child ahead of one who wants only reading.
        var interests = need.GetStrings(Interests).Distinct(StringComparer.Ordinal).ToList();
        if (interests.Count > 0)
        {
            var matched = interests.Intersect(candidate.Provider.Offer.GetStrings(Activities), StringComparer.Ordinal).Count();
            yield return new ScorePart("holiday-activities.interest-overlap",
                Texts["score.interest-overlap"].Format(matched, interests.Count),
                (int)Math.Round(100.0 * matched / interests.Count, MidpointRounding.AwayFromZero));
        }

        // Seats are few: a child who has had no activity this year goes before one who has.
        if (need.GetBool(HadActivityThisYear) != true)
        {
            yield return new ScorePart("holiday-activities.first-activity-this-year", Texts["score.first-activity-this-year"], 60);
        }
    }

    private static string AgeBound(int? age) => age?.ToString(CultureInfo.InvariantCulture) ?? "-";

    private static LocalizedText PeriodLabel(string period) =>
        PeriodValues.Contains(period) ? Label(Texts, "period", period) : new LocalizedText(period, period);

    /// <summary>Fills a template with texts that are themselves in both languages (Chinese into Chinese).</summary>
    private static LocalizedText Fill(LocalizedText template, params LocalizedText[] args) =>
        new(string.Format(CultureInfo.InvariantCulture, template.Zh, args.Select(a => (object)a.Zh).ToArray()),
            string.Format(CultureInfo.InvariantCulture, template.En, args.Select(a => (object)a.En).ToArray()));
}
