using System.Globalization;
using System.Text.Json;
using Tongxin.Modules.Contracts;
using static Tongxin.Modules.Tutoring.TutoringSchema;

namespace Tongxin.Modules.Tutoring;

/// <summary>
/// 学业辅导 / 四点半课堂: after-school and weekend help for a child behind at school, one to one or
/// in a programme's classroom, in person or online (Feng county plan 003 §10).
/// </summary>
[ServiceLine("tutoring")]
public sealed class TutoringModule : ServiceLineModule
{
    private static readonly TextResources Texts = TextResources.FromEmbeddedJson(typeof(TutoringModule).Assembly);

    public override ModuleInfo Info { get; } =
        new("tutoring", Texts["module.name"], "1.0.0", Texts["module.description"]);

    public override IReadOnlyList<FieldSpec> NeedDetailsSchema { get; } = TutoringSchema.NeedDetails(Texts);

    public override IReadOnlyList<FieldSpec> ProviderOfferSchema { get; } = TutoringSchema.ProviderOffer(Texts);

    public override IReadOnlyList<FieldError> ValidateProviderOffer(JsonElement offer)
    {
        var errors = SchemaValidator.Validate(offer, ProviderOfferSchema).ToList();
        // Only compare the bounds when each is valid by itself, so one mistake gives one message.
        if (errors.All(e => e.Field is not (GradeMin or GradeMax))
            && offer.GetInt(GradeMin) is { } min && offer.GetInt(GradeMax) is { } max && min > max)
        {
            errors.Add(new FieldError(GradeMax, Texts["error.gradeMaxBelowMin"].Format(min, max)));
        }
        return errors;
    }

    /// <summary>A child behind at school should not wait more than two weeks for a tutor.</summary>
    public override DateTime WaitUntil(WaitContext context) => context.Need.RequestedAtUtc + DefaultWait;

    public override Eligibility CheckEligibility(MatchCandidate candidate)
    {
        var need = candidate.Need.Details;
        var offer = candidate.Provider.Offer;

        var subject = need.GetString(Subject) ?? "";
        if (!offer.GetStrings(Subjects).Contains(subject))
        {
            return Eligibility.No("tutoring.subject-mismatch", Fill(Texts["reason.subject-mismatch"], SubjectLabel(subject)));
        }

        var (min, max) = GradeRange(offer);
        if (need.GetInt(Grade) is not { } grade || grade < min || grade > max)
        {
            return Eligibility.No("tutoring.grade-out-of-range",
                Texts["reason.grade-out-of-range"].Format(min, max, need.GetInt(Grade)?.ToString(CultureInfo.InvariantCulture) ?? "?"));
        }

        var mode = need.GetString(Mode) ?? "";
        if (!offer.GetStrings(Modes).Contains(mode))
        {
            return Eligibility.No("tutoring.mode-mismatch", Fill(Texts["reason.mode-mismatch"], ModeLabel(mode)));
        }

        if (OverlappingSlots(candidate).Count == 0)
        {
            return Eligibility.No("tutoring.schedule-no-overlap", Texts["reason.schedule-no-overlap"]);
        }

        // A child walks to in-person tutoring, so it stays within the town; online reaches the county.
        if (mode == InPerson && candidate.Proximity > Proximity.SameTown)
        {
            return Eligibility.No("tutoring.in-person-too-far", Texts["reason.in-person-too-far"]);
        }
        if (candidate.Proximity > Proximity.SameCounty)
        {
            return Eligibility.No("tutoring.outside-county", Texts["reason.outside-county"]);
        }

        return Eligibility.Yes;
    }

    public override IEnumerable<ScorePart> Score(MatchCandidate candidate)
    {
        var need = candidate.Need.Details;
        var (min, max) = GradeRange(candidate.Provider.Offer);
        if (need.GetInt(Grade) is { } grade)
        {
            yield return new ScorePart("tutoring.grade-fit", Texts["score.grade-fit"].Format(min, max), GradeFitPoints(grade, min, max));
        }

        // A quarter of the part per shared slot: four shared slots or more is the whole part.
        var overlap = OverlappingSlots(candidate).Count;
        yield return new ScorePart("tutoring.schedule-overlap", Texts["score.schedule-overlap"].Format(overlap), Math.Min(100, 25 * overlap));

        if (need.GetString(Mode) == InPerson && candidate.Proximity == Proximity.SameVillage)
        {
            yield return new ScorePart("tutoring.same-village", Texts["score.same-village"], 50);
        }
    }

    /// <summary>
    /// 100 at the middle of the tutor's grade band, falling to 50 at its edges: a tutor whose band is
    /// centred on the child's grade usually teaches that level every day.
    /// </summary>
    private static int GradeFitPoints(int grade, int min, int max)
    {
        var halfWidth = (max - min) / 2.0;
        if (halfWidth <= 0)
        {
            return grade == min ? 100 : 0;
        }
        var distance = Math.Abs(grade - (min + max) / 2.0);
        return Math.Clamp((int)Math.Round(100 - 50 * distance / halfWidth, MidpointRounding.AwayFromZero), 0, 100);
    }

    private static (int Min, int Max) GradeRange(JsonElement offer) =>
        (offer.GetInt(GradeMin) ?? LowestGrade, offer.GetInt(GradeMax) ?? HighestGrade);

    private static List<string> OverlappingSlots(MatchCandidate candidate)
    {
        var provider = candidate.Provider;
        IEnumerable<string> availability = provider.Kind == ProviderKind.Programme && provider.Availability.Count == 0
            ? ProgrammeDefaultAvailability
            : provider.Availability;
        return candidate.Need.Details.GetStrings(Schedule).Intersect(availability, StringComparer.Ordinal).ToList();
    }

    private static LocalizedText SubjectLabel(string subject) =>
        SubjectValues.Contains(subject) ? Label(Texts, "subject", subject) : new LocalizedText(subject, subject);

    private static LocalizedText ModeLabel(string mode) =>
        ModeValues.Contains(mode) ? Label(Texts, "mode", mode) : new LocalizedText(mode, mode);

    /// <summary>Fills a template with texts that are themselves in both languages (Chinese into Chinese).</summary>
    private static LocalizedText Fill(LocalizedText template, params LocalizedText[] args) =>
        new(string.Format(CultureInfo.InvariantCulture, template.Zh, args.Select(a => (object)a.Zh).ToArray()),
            string.Format(CultureInfo.InvariantCulture, template.En, args.Select(a => (object)a.En).ToArray()));
}
