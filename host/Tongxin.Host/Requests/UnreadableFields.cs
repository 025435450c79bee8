using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Tongxin.Host.Text;

namespace Tongxin.Host.Requests;

/// <summary>
/// Finds every field of a JSON body that cannot be read as its member's type (an unknown enum name, a date that is
/// not one, text where a number goes, a field the request does not have) and takes it out of the body, so what is
/// left binds and the validator can still judge it. System.Text.Json stops at the first such field; this goes on.
/// It reads the request type's own JSON contract (the host's <see cref="JsonSerializerOptions"/>), so names, enum
/// spellings and unknown-field refusal are exactly the binder's. Only run after binding failed: it converts each
/// field on its own, which is slower than one pass.
/// </summary>
internal static class UnreadableFields
{
    /// <summary>Field path (<c>guardianConsent.recordedAt</c>, <c>lines[1]</c>) → why it cannot be read.</summary>
    public static Dictionary<string, string[]> Remove(JsonObject body, Type requestType, JsonSerializerOptions options)
    {
        var failures = new Dictionary<string, string[]>();
        RemoveFromObject(body, options.GetTypeInfo(requestType), "", options, failures);
        return failures;
    }

    private static void RemoveFromObject(JsonObject body, JsonTypeInfo contract, string prefix, JsonSerializerOptions options, Dictionary<string, string[]> failures)
    {
        var comparison = options.PropertyNameCaseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var refuseUnknown = (contract.UnmappedMemberHandling ?? options.UnmappedMemberHandling) == JsonUnmappedMemberHandling.Disallow;
        foreach (var (name, value) in body.ToList())
        {
            var member = contract.Properties.FirstOrDefault(p => string.Equals(p.Name, name, comparison));
            if (member is null)
            {
                if (refuseUnknown)
                {
                    failures[prefix + name] = [HostTexts.Local("json.unknownField")];
                    body.Remove(name);
                }
                continue;
            }
            // Named as the contract spells it (camelCase), as the validator's errors are, however the client cased it.
            if (!Readable(value, member.PropertyType, prefix + member.Name, options, failures))
            {
                body.Remove(name);
            }
        }
    }

    /// <summary>True when <paramref name="value"/> reads as <paramref name="type"/> (after taking out unreadable parts of a nested object).</summary>
    private static bool Readable(JsonNode? value, Type type, string path, JsonSerializerOptions options, Dictionary<string, string[]> failures)
    {
        if (Converts(value, type, options))
        {
            return true;
        }
        var contract = options.GetTypeInfo(type);
        var before = failures.Count;
        switch (contract.Kind)
        {
            case JsonTypeInfoKind.Object when value is JsonObject nested:
                RemoveFromObject(nested, contract, path + ".", options, failures);
                if (Converts(nested, type, options))
                {
                    return true;
                }
                break;
            case JsonTypeInfoKind.Enumerable when value is JsonArray items:
                for (var i = 0; i < items.Count; i++)
                {
                    if (!Converts(items[i], contract.ElementType!, options))
                    {
                        failures[$"{path}[{i}]"] = [Reason(contract.ElementType!, options)];
                    }
                }
                break;
        }
        if (failures.Count == before)
        {
            failures[path] = [Reason(type, options)];
        }
        return false;
    }

    private static bool Converts(JsonNode? value, Type type, JsonSerializerOptions options)
    {
        try
        {
            value.Deserialize(type, options);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>What the field should have been, in the caller's language; an enum lists its values as JSON spells them.</summary>
    private static string Reason(Type type, JsonSerializerOptions options)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (target.IsEnum)
        {
            var names = Enum.GetValues(target).Cast<object>().Select(v => JsonSerializer.SerializeToNode(v, target, options)!.GetValue<string>());
            return HostTexts.Local("json.notAllowed", string.Join(", ", names));
        }
        return Type.GetTypeCode(target) switch
        {
            TypeCode.DateTime => HostTexts.Local("json.dateTime"),
            TypeCode.Int16 or TypeCode.Int32 or TypeCode.Int64 or TypeCode.UInt16 or TypeCode.UInt32 or TypeCode.UInt64 or TypeCode.Byte
                => HostTexts.Local("json.integer"),
            TypeCode.Decimal or TypeCode.Double or TypeCode.Single => HostTexts.Local("json.number"),
            TypeCode.Boolean => HostTexts.Local("json.boolean"),
            TypeCode.String => HostTexts.Local("json.text"),
            _ when target == typeof(DateOnly) => HostTexts.Local("json.date"),
            _ when target == typeof(DateTimeOffset) => HostTexts.Local("json.dateTime"),
            _ when options.GetTypeInfo(target).Kind is JsonTypeInfoKind.Enumerable => HostTexts.Local("json.list"),
            _ when options.GetTypeInfo(target).Kind is JsonTypeInfoKind.Object or JsonTypeInfoKind.Dictionary => HostTexts.Local("json.object"),
            _ => HostTexts.Local("json.wrongValue"),
        };
    }
}
