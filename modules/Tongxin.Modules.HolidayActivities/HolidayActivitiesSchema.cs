using Tongxin.Modules.Contracts;

namespace Tongxin.Modules.HolidayActivities;

/// <summary>Field names and allowed values of a holiday-activity need and a programme's offer.</summary>
internal static class HolidayActivitiesSchema
{
    // Need details.
    public const string Interests = "interests";
    public const string Period = "period";
    public const string HadActivityThisYear = "hadActivityThisYear";

    // Offer.
    public const string Activities = "activities";

    /// <summary>Reading, sport, safety education (drowning prevention above all), arts, science, visits (000 §5, 003 §11).</summary>
    public static readonly IReadOnlyList<string> ActivityValues =
        ["reading", "sport", "safety-education", "arts", "science", "visits"];

    public static readonly IReadOnlyList<string> PeriodValues = ["winter", "summer", "festival"];

    public static IReadOnlyList<FieldSpec> NeedDetails(TextResources texts) =>
    [
        new(Interests, FieldKind.MultiChoice, texts["field.interests"], AllowedValues: ActivityValues)
            { ValueLabels = Labels(texts, "activity", ActivityValues) },
        new(Period, FieldKind.Choice, texts["field.period"], AllowedValues: PeriodValues)
            { ValueLabels = Labels(texts, "period", PeriodValues) },
        new(HadActivityThisYear, FieldKind.Boolean, texts["field.hadActivityThisYear"], Required: false),
    ];

    public static IReadOnlyList<FieldSpec> ProviderOffer(TextResources texts) =>
    [
        new(Activities, FieldKind.MultiChoice, texts["field.activities"], AllowedValues: ActivityValues)
            { ValueLabels = Labels(texts, "activity", ActivityValues) },
        new(Period, FieldKind.Choice, texts["field.period"], AllowedValues: PeriodValues)
            { ValueLabels = Labels(texts, "period", PeriodValues) },
    ];

    public static LocalizedText Label(TextResources texts, string group, string value) => texts[$"{group}.{value}"];

    private static Dictionary<string, LocalizedText> Labels(TextResources texts, string group, IEnumerable<string> values) =>
        values.ToDictionary(v => v, v => Label(texts, group, v), StringComparer.Ordinal);
}
