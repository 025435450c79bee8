using System.Text.Json;
using FluentValidation;
using FluentValidation.Results;
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

    public static string UnknownLineMessage(this ModuleCatalog catalog) =>
        HostTexts.Local("line.unknown", string.Join(", ", catalog.All.Select(m => m.Module.Info.Key)));

    /// <summary>Reports a module's field errors in a validator, named under a prefix (<c>details.grade</c>).</summary>
    public static void AddModuleErrors<T>(this ValidationContext<T> context, IReadOnlyList<FieldError> moduleErrors, string prefix)
    {
        foreach (var error in moduleErrors)
        {
            context.AddFailure(new ValidationFailure(string.IsNullOrEmpty(error.Field) ? prefix : $"{prefix}.{error.Field}", error.Message.ForCurrentCulture()));
        }
    }

    public static JsonElement OrEmptyObject(this JsonElement? value) =>
        value is { ValueKind: not JsonValueKind.Undefined and not JsonValueKind.Null } v ? v : JsonDocument.Parse("{}").RootElement;
}
