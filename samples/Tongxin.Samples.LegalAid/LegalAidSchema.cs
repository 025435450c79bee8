using Tongxin.Modules.Contracts;

namespace Tongxin.Samples.LegalAid;

/// <summary>Field names and allowed values of a legal-aid need and a lawyer's offer.</summary>
internal static class LegalAidSchema
{
    public const string CaseKind = "caseKind";
    public const string Notes = "notes";
    public const string Specialties = "specialties";
    public const string Licensed = "licensed";

    public const int NotesMaxLength = 500;

    public static readonly IReadOnlyList<string> CaseKindValues =
        ["guardianship", "custody", "school-bullying", "injury-compensation", "other"];

    public static IReadOnlyList<FieldSpec> NeedDetails(TextResources texts) =>
    [
        new(CaseKind, FieldKind.Choice, texts["field.caseKind"], AllowedValues: CaseKindValues)
            { ValueLabels = Labels(texts, CaseKindValues) },
        new(Notes, FieldKind.Text, texts["field.notes"], Required: false, MaxLength: NotesMaxLength),
    ];

    public static IReadOnlyList<FieldSpec> ProviderOffer(TextResources texts) =>
    [
        new(Specialties, FieldKind.MultiChoice, texts["field.specialties"], AllowedValues: CaseKindValues)
            { ValueLabels = Labels(texts, CaseKindValues) },
        new(Licensed, FieldKind.Boolean, texts["field.licensed"]),
    ];

    public static LocalizedText Label(TextResources texts, string caseKind) => texts[$"case-kind.{caseKind}"];

    private static Dictionary<string, LocalizedText> Labels(TextResources texts, IEnumerable<string> values) =>
        values.ToDictionary(v => v, v => Label(texts, v), StringComparer.Ordinal);
}
