using System.Globalization;
using System.Text.Json;

namespace Tongxin.Modules.Contracts;

/// <summary>
/// Checks a JSON object against a list of <see cref="FieldSpec"/>: required fields, types, ranges,
/// allowed values and unknown fields. Modules call it and then add their own cross-field rules.
/// </summary>
public static class SchemaValidator
{
    private static readonly TextResources Texts = TextResources.FromEmbeddedJson(typeof(SchemaValidator).Assembly);

    public static IReadOnlyList<FieldError> Validate(JsonElement value, IReadOnlyList<FieldSpec> schema)
    {
        var errors = new List<FieldError>();
        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new FieldError("", Texts["details.notObject"]));
            return errors;
        }

        var known = schema.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            if (!known.Contains(property.Name))
            {
                errors.Add(new FieldError(property.Name, Texts["field.unknown"].Format(string.Join(", ", known))));
            }
        }

        foreach (var field in schema)
        {
            if (!value.TryGetProperty(field.Name, out var property) || property.ValueKind == JsonValueKind.Null)
            {
                if (field.Required)
                {
                    errors.Add(new FieldError(field.Name, Texts["field.required"].Format(field.Label.Zh, field.Label.En)));
                }
                continue;
            }
            var error = CheckField(field, property);
            if (error is not null)
            {
                errors.Add(new FieldError(field.Name, error));
            }
        }
        return errors;
    }

    private static LocalizedText? CheckField(FieldSpec field, JsonElement property) => field.Kind switch
    {
        FieldKind.Text => CheckText(field, property),
        FieldKind.Integer => CheckInteger(field, property),
        FieldKind.Boolean => property.ValueKind is JsonValueKind.True or JsonValueKind.False ? null : Texts["field.notBoolean"],
        FieldKind.Date => property.ValueKind == JsonValueKind.String
            && DateOnly.TryParseExact(property.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
                ? null
                : Texts["field.notDate"],
        FieldKind.Choice => property.ValueKind == JsonValueKind.String && field.AllowedValues!.Contains(property.GetString()!)
            ? null
            : Texts["field.notAllowed"].Format(string.Join(", ", field.AllowedValues!)),
        FieldKind.MultiChoice => CheckMultiChoice(field, property),
        _ => throw new ArgumentOutOfRangeException(nameof(field), field.Kind, "Unknown field kind."),
    };

    private static LocalizedText? CheckText(FieldSpec field, JsonElement property)
    {
        if (property.ValueKind != JsonValueKind.String)
        {
            return Texts["field.notText"];
        }
        var text = property.GetString()!;
        if (field.Required && string.IsNullOrWhiteSpace(text))
        {
            return Texts["field.required"].Format(field.Label.Zh, field.Label.En);
        }
        return field.MaxLength is { } max && text.Length > max ? Texts["field.tooLong"].Format(max) : null;
    }

    private static LocalizedText? CheckInteger(FieldSpec field, JsonElement property)
    {
        if (property.ValueKind != JsonValueKind.Number || !property.TryGetInt32(out var number))
        {
            return Texts["field.notInteger"];
        }
        if ((field.Min is { } min && number < min) || (field.Max is { } max && number > max))
        {
            return Texts["field.outOfRange"].Format(field.Min?.ToString(CultureInfo.InvariantCulture) ?? "-", field.Max?.ToString(CultureInfo.InvariantCulture) ?? "-");
        }
        return null;
    }

    private static LocalizedText? CheckMultiChoice(FieldSpec field, JsonElement property)
    {
        if (property.ValueKind != JsonValueKind.Array)
        {
            return Texts["field.notList"];
        }
        var values = property.EnumerateArray().ToList();
        if (field.Required && values.Count == 0)
        {
            return Texts["field.required"].Format(field.Label.Zh, field.Label.En);
        }
        foreach (var item in values)
        {
            if (item.ValueKind != JsonValueKind.String || !field.AllowedValues!.Contains(item.GetString()!))
            {
                return Texts["field.notAllowed"].Format(string.Join(", ", field.AllowedValues!));
            }
        }
        return null;
    }

    /// <summary>Reads a string property, or null when absent.</summary>
    public static string? GetString(this JsonElement value, string name) =>
        value.ValueKind == JsonValueKind.Object && value.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    /// <summary>Reads an integer property, or null when absent.</summary>
    public static int? GetInt(this JsonElement value, string name) =>
        value.ValueKind == JsonValueKind.Object && value.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetInt32(out var n) ? n : null;

    /// <summary>Reads a boolean property, or null when absent.</summary>
    public static bool? GetBool(this JsonElement value, string name) =>
        value.ValueKind == JsonValueKind.Object && value.TryGetProperty(name, out var p) && p.ValueKind is JsonValueKind.True or JsonValueKind.False ? p.GetBoolean() : null;

    /// <summary>Reads a string array property, or an empty list when absent.</summary>
    public static IReadOnlyList<string> GetStrings(this JsonElement value, string name) =>
        value.ValueKind == JsonValueKind.Object && value.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Array
            ? p.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
            : [];
}
