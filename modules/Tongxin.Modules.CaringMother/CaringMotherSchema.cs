using Tongxin.Modules.Contracts;

namespace Tongxin.Modules.CaringMother;

/// <summary>Field names and allowed values of a Caring Mother need and a volunteer's offer.</summary>
internal static class CaringMotherSchema
{
    public const string SupportKinds = "supportKinds";
    public const string Notes = "notes";

    public const int NotesMaxLength = 500;

    /// <summary>The volunteer's gender as the host records it; the line pairs children with women only (003 §11).</summary>
    public const string Female = "female";

    /// <summary>Life help and emotional comfort (生活帮助、精神抚慰, 003 §11), study encouragement, festival visits.</summary>
    public static readonly IReadOnlyList<string> SupportKindValues =
        ["daily-life", "emotional-comfort", "study-encouragement", "festival-visits"];

    public static IReadOnlyList<FieldSpec> NeedDetails(TextResources texts) =>
    [
        new(SupportKinds, FieldKind.MultiChoice, texts["field.supportKinds.need"], AllowedValues: SupportKindValues)
            { ValueLabels = Labels(texts, SupportKindValues) },
        new(Notes, FieldKind.Text, texts["field.notes"], Required: false, MaxLength: NotesMaxLength),
    ];

    public static IReadOnlyList<FieldSpec> ProviderOffer(TextResources texts) =>
    [
        new(SupportKinds, FieldKind.MultiChoice, texts["field.supportKinds.offer"], AllowedValues: SupportKindValues)
            { ValueLabels = Labels(texts, SupportKindValues) },
    ];

    private static Dictionary<string, LocalizedText> Labels(TextResources texts, IEnumerable<string> values) =>
        values.ToDictionary(v => v, v => texts[$"support-kind.{v}"], StringComparer.Ordinal);
}
