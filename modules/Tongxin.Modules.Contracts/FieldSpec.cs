namespace Tongxin.Modules.Contracts;

public enum FieldKind
{
    Text,
    Integer,
    Boolean,
    Date,
    /// <summary>One value from <see cref="FieldSpec.AllowedValues"/>.</summary>
    Choice,
    /// <summary>A JSON array of values from <see cref="FieldSpec.AllowedValues"/>.</summary>
    MultiChoice,
}

/// <summary>
/// One field of a need's details or a provider's offer. The same description drives server-side
/// validation, the OpenAPI/modules listing and the web form.
/// </summary>
public sealed record FieldSpec(
    string Name,
    FieldKind Kind,
    LocalizedText Label,
    bool Required = true,
    IReadOnlyList<string>? AllowedValues = null,
    int? Min = null,
    int? Max = null,
    int? MaxLength = null)
{
    /// <summary>
    /// Display names of the <see cref="AllowedValues"/> (value → zh/en), so a form shows 数学 rather
    /// than <c>maths</c>. Optional: a value without a label is shown as itself. An init-only property
    /// rather than a constructor parameter, so modules built against an earlier contract still load.
    /// </summary>
    public IReadOnlyDictionary<string, LocalizedText>? ValueLabels { get; init; }
}

/// <summary>A validation failure on one field; <see cref="Field"/> is a camelCase path such as <c>grade</c>.</summary>
public sealed record FieldError(string Field, LocalizedText Message);
