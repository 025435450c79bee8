using Tongxin.Modules.Contracts;

namespace Tongxin.Modules.Counselling;

/// <summary>Field names and allowed values of a counselling need and a counsellor's offer.</summary>
internal static class CounsellingSchema
{
    // Need details.
    public const string ReasonCategory = "reasonCategory";
    public const string Mode = "mode";
    public const string Notes = "notes";

    // Offer.
    public const string Qualifications = "qualifications";
    public const string Modes = "modes";
    public const string Specialties = "specialties";

    public const string InPerson = "in-person";
    public const string Phone = "phone";
    public const string Online = "online";

    public const int NotesMaxLength = 500;

    /// <summary>Why the child needs counselling; <c>screening-flag</c> is a school's mental-health screening (003 §2).</summary>
    public static readonly IReadOnlyList<string> ReasonValues =
        ["emotional", "behaviour", "family-conflict", "bereavement", "bullying", "screening-flag", "other"];

    public static readonly IReadOnlyList<string> ModeValues = [InPerson, Phone, Online];

    public static readonly IReadOnlyList<string> QualificationValues =
        ["psychological-counsellor", "social-worker", "school-counsellor", "psychiatrist"];

    public static IReadOnlyList<FieldSpec> NeedDetails(TextResources texts) =>
    [
        new(ReasonCategory, FieldKind.Choice, texts["field.reasonCategory"], AllowedValues: ReasonValues)
            { ValueLabels = Labels(texts, "reason-category", ReasonValues) },
        new(Mode, FieldKind.Choice, texts["field.mode"], AllowedValues: ModeValues)
            { ValueLabels = Labels(texts, "mode", ModeValues) },
        new(Notes, FieldKind.Text, texts["field.notes"], Required: false, MaxLength: NotesMaxLength),
    ];

    public static IReadOnlyList<FieldSpec> ProviderOffer(TextResources texts) =>
    [
        new(Qualifications, FieldKind.MultiChoice, texts["field.qualifications"], AllowedValues: QualificationValues)
            { ValueLabels = Labels(texts, "qualification", QualificationValues) },
        new(Modes, FieldKind.MultiChoice, texts["field.modes"], AllowedValues: ModeValues)
            { ValueLabels = Labels(texts, "mode", ModeValues) },
        new(Specialties, FieldKind.MultiChoice, texts["field.specialties"], Required: false, AllowedValues: ReasonValues)
            { ValueLabels = Labels(texts, "reason-category", ReasonValues) },
    ];

    public static LocalizedText Label(TextResources texts, string group, string value) => texts[$"{group}.{value}"];

    private static Dictionary<string, LocalizedText> Labels(TextResources texts, string group, IEnumerable<string> values) =>
        values.ToDictionary(v => v, v => Label(texts, group, v), StringComparer.Ordinal);
}
