using Tongxin.Host.Errors;
using Tongxin.Host.Persistence;
using Tongxin.Host.Text;

namespace Tongxin.Host.Imports;

/// <summary>
/// The accepted columns of one kind of sheet (docs/imports.md): each accepted header with the other names counties'
/// sheets give it, and which of them must be there.
/// </summary>
public sealed class SheetColumns(IReadOnlyDictionary<string, string> aliases, IReadOnlyList<string> required)
{
    /// <summary>The accepted headers, in the order the template has them.</summary>
    public IReadOnlyList<string> Accepted { get; } = aliases.Values.Distinct().ToList();

    /// <summary>The sheet's headers as the accepted ones; unknown or missing headers answer 400 naming them and the accepted ones.</summary>
    public SheetColumnMap Map(IReadOnlyList<string> headers)
    {
        var unknown = headers.Where(h => !aliases.ContainsKey(h)).ToList();
        var mapped = headers.Where(aliases.ContainsKey).GroupBy(h => aliases[h]).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var missing = required.Where(r => !mapped.ContainsKey(r)).ToList();
        if (unknown.Count > 0 || missing.Count > 0)
        {
            var expected = string.Join("、", Accepted);
            var messages = new List<string>();
            if (unknown.Count > 0) messages.Add(HostTexts.Local("import.headersUnknown", string.Join("、", unknown), expected));
            if (missing.Count > 0) messages.Add(HostTexts.Local("import.headersMissing", string.Join("、", missing), expected));
            throw new RequestValidationException(new Dictionary<string, string[]> { ["headers"] = [.. messages] });
        }
        return new SheetColumnMap(mapped);
    }
}

/// <summary>Where each accepted column is in one sheet.</summary>
public sealed class SheetColumnMap(IReadOnlyDictionary<string, string> headerOf)
{
    public bool Has(string column) => headerOf.ContainsKey(column);

    /// <summary>The row's cell of the accepted column; null when the sheet has no such column or the cell is empty.</summary>
    public string? Cell(SheetRow row, string column) => headerOf.TryGetValue(column, out var header) ? row[header] : null;
}

/// <summary>What the imports share once every row is checked.</summary>
public static class ImportRows
{
    /// <summary>A place of the importer's area by its code, or by its exact name when only one place there has it.</summary>
    public static Region? FindRegion(IReadOnlyCollection<Region> regions, string text, out bool ambiguous)
    {
        var byCode = regions.FirstOrDefault(r => r.Code == text);
        var byName = regions.Where(r => r.Name == text).Take(2).ToList();
        ambiguous = byCode is null && byName.Count > 1;
        return byCode ?? (byName.Count == 1 ? byName[0] : null);
    }

    /// <summary>
    /// All or nothing: when any row has errors the import writes nothing and answers 422, each error keyed
    /// <c>row N.&lt;column&gt;</c>, so the county fixes its sheet and sends it again.
    /// </summary>
    public static void RefuseIfAnyFailed(IEnumerable<(int Row, IReadOnlyDictionary<string, string[]>? Errors)> rows)
    {
        var failed = rows.Where(r => r.Errors is { Count: > 0 }).ToList();
        if (failed.Count > 0)
        {
            var problems = failed.SelectMany(r => r.Errors!.Select(e => KeyValuePair.Create($"row {r.Row}.{e.Key}", e.Value))).ToDictionary();
            throw new RuleViolationException(HostTexts.Local("import.rowsRefused", failed.Count), problems);
        }
    }

    /// <summary>The body's type is checked in the handler, after the role: nobody else learns what the route takes.</summary>
    public static void EnsureSheetType(string? contentType)
    {
        var type = contentType ?? "";
        if (!type.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) && !type.StartsWith(SheetReader.XlsxContentType, StringComparison.OrdinalIgnoreCase))
        {
            throw new BadHttpRequestException(HostTexts.Local("import.contentType"), StatusCodes.Status415UnsupportedMediaType);
        }
    }
}
