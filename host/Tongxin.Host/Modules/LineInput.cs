using System.Text.Json;
using Tongxin.Host.Errors;
using Tongxin.Host.Text;
using Tongxin.Modules.Contracts;

namespace Tongxin.Host.Modules;

/// <summary>Line-specific input checked by the line's own module, with errors named under a prefix (<c>details.grade</c>).</summary>
internal static class LineInput
{
    public static IServiceLineModule RequireLine(this ModuleCatalog catalog, string? line, string field) =>
        catalog.Find(line) ?? throw RequestValidationException.ForField(field,
            HostTexts.Local("line.unknown", string.Join(", ", catalog.All.Select(m => m.Module.Info.Key))));

    public static void AddErrors(Dictionary<string, string[]> errors, IReadOnlyList<FieldError> moduleErrors, string prefix)
    {
        foreach (var group in moduleErrors.GroupBy(e => e.Field))
        {
            var field = string.IsNullOrEmpty(group.Key) ? prefix : $"{prefix}.{group.Key}";
            errors[field] = group.Select(e => e.Message.ForCurrentCulture()).ToArray();
        }
    }

    public static void ThrowIfAny(Dictionary<string, string[]> errors)
    {
        if (errors.Count > 0)
        {
            throw new RequestValidationException(errors);
        }
    }

    public static JsonElement OrEmptyObject(this JsonElement? value) =>
        value is { ValueKind: not JsonValueKind.Undefined and not JsonValueKind.Null } v ? v : JsonDocument.Parse("{}").RootElement;
}
