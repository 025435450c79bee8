using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using Tongxin.Host.Errors;
using Tongxin.Host.Persistence;
using Tongxin.Host.Text;

namespace Tongxin.Host.PurchasedServices;

/// <summary>
/// Delivery CSVs, in and out. In: a header line <c>childId,at,units,kind,notes</c>, then one delivery per
/// line (RFC 4180; <c>at</c> in ISO 8601; <c>kind</c> session|hour|visit). Errors name the file's line
/// number (the header is line 1). Out: UTF-8 with a byte-order mark so Excel shows Chinese correctly, and
/// cells that a spreadsheet would run as a formula are defused.
/// </summary>
public static class CsvRows
{
    public const int MaxRows = 200_000;
    public static readonly string[] Header = ["childId", "at", "units", "kind", "notes"];

    public static string Key(int line) => $"line {line}";

    public static async Task<(List<(int Line, DeliveryInput Input)> Rows, Dictionary<string, string[]> Errors)> ReadAsync(Stream body, CancellationToken cancellationToken)
    {
        var rows = new List<(int, DeliveryInput)>();
        var errors = new Dictionary<string, string[]>();
        using var reader = new StreamReader(body, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            TrimOptions = TrimOptions.Trim,
            MissingFieldFound = null,
            BadDataFound = null,
            DetectColumnCountChanges = false,
        });
        if (!await csv.ReadAsync() || !csv.ReadHeader() || Header.Take(4).Any(h => !csv.HeaderRecord!.Contains(h)))
        {
            throw RequestValidationException.ForField("header", HostTexts.Local("csv.header", string.Join(",", Header)));
        }
        while (await csv.ReadAsync())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var line = csv.Parser.RawRow;
            if (rows.Count + errors.Count >= MaxRows)
            {
                throw RequestValidationException.ForField("body", HostTexts.Local("csv.tooManyRows", MaxRows));
            }
            var rowErrors = new List<string>();
            var childId = csv.GetField("childId") ?? "";
            if (childId.Length == 0)
            {
                rowErrors.Add($"childId: {HostTexts.Local("field.required.generic")}");
            }
            if (!DateTime.TryParse(csv.GetField("at"), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at))
            {
                rowErrors.Add($"at: {HostTexts.Local("csv.at.format")}");
            }
            if (!int.TryParse(csv.GetField("units"), NumberStyles.None, CultureInfo.InvariantCulture, out var units))
            {
                rowErrors.Add($"units: {HostTexts.Local("csv.units.format")}");
            }
            var kind = ParseKind(csv.GetField("kind"));
            if (kind is null)
            {
                rowErrors.Add($"kind: {HostTexts.Local("csv.kind.format")}");
            }
            var notes = csv.HeaderRecord!.Contains("notes") ? csv.GetField("notes") ?? "" : "";
            if (rowErrors.Count > 0)
            {
                errors[Key(line)] = [.. rowErrors];
                continue;
            }
            rows.Add((line, new DeliveryInput(childId, at, units, kind!.Value, notes)));
        }
        if (rows.Count == 0 && errors.Count == 0)
        {
            throw RequestValidationException.ForField("body", HostTexts.Local("csv.empty"));
        }
        return (rows, errors);
    }

    private static UnitKind? ParseKind(string? value) => value switch
    {
        "session" => UnitKind.Session,
        "hour" => UnitKind.Hour,
        "visit" => UnitKind.Visit,
        _ => null,
    };

    /// <summary>A CSV file as bytes: BOM, header, rows; formula-like cells prefixed with an apostrophe.</summary>
    public static byte[] Write(IEnumerable<string> header, IEnumerable<IEnumerable<object?>> rows)
    {
        using var buffer = new MemoryStream();
        using (var writer = new StreamWriter(buffer, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true)))
        using (var csv = new CsvWriter(writer, CultureInfo.InvariantCulture))
        {
            foreach (var name in header)
            {
                csv.WriteField(name);
            }
            csv.NextRecord();
            foreach (var row in rows)
            {
                foreach (var cell in row)
                {
                    csv.WriteField(Defuse(Format(cell)));
                }
                csv.NextRecord();
            }
        }
        return buffer.ToArray();
    }

    private static string Format(object? cell) => cell switch
    {
        null => "",
        DateTime d => d.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        decimal m => m.ToString("0.00", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => cell.ToString() ?? "",
    };

    private static string Defuse(string cell) =>
        cell.Length > 0 && "=+-@\t\r".Contains(cell[0]) && !decimal.TryParse(cell, NumberStyles.Any, CultureInfo.InvariantCulture, out _) ? "'" + cell : cell;
}
