using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using MiniExcelLibs;
using Tongxin.Host.Errors;
using Tongxin.Host.Text;

namespace Tongxin.Host.Imports;

/// <summary>A sheet as the import reads it: its header row, and each row's cells by header (row 2 is the first data row).</summary>
public sealed record Sheet(IReadOnlyList<string> Headers, IReadOnlyList<SheetRow> Rows);

/// <summary>One data row: its row number in the sheet (as Excel shows it) and its cells by header, trimmed.</summary>
public sealed record SheetRow(int Number, IReadOnlyDictionary<string, string> Cells)
{
    public string? this[string header] => Cells.TryGetValue(header, out var value) && value.Length > 0 ? value : null;
}

/// <summary>
/// Reads an uploaded sheet the way a county has it: .xlsx (MiniExcel), or CSV in UTF-8 with or without a BOM or in
/// GB18030, which Chinese Excel writes when it saves CSV. A file that is empty, not a sheet, password-protected or an
/// old .xls answers 400 naming <c>file</c>, never 500 (docs/imports.md).
/// </summary>
public static class SheetReader
{
    public const int MaxBytes = 10 * 1024 * 1024;
    public const string XlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    private static readonly byte[] ZipSignature = [0x50, 0x4B, 0x03, 0x04];
    // An OLE compound file: an old .xls, or an .xlsx that Excel encrypted with a password.
    private static readonly byte[] CompoundFileSignature = [0xD0, 0xCF, 0x11, 0xE0];

    static SheetReader() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>The body, at most <see cref="MaxBytes"/>; a larger one is refused before it is all read.</summary>
    public static async Task<byte[]> ReadBodyAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
            {
                throw RequestValidationException.ForField("file", HostTexts.Local("import.tooLarge", MaxBytes / (1024 * 1024)));
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    public static Sheet Read(byte[] content)
    {
        if (content.Length == 0)
        {
            throw RequestValidationException.ForField("file", HostTexts.Local("import.empty"));
        }
        if (content.AsSpan().StartsWith(CompoundFileSignature))
        {
            throw RequestValidationException.ForField("file", HostTexts.Local("import.protectedOrXls"));
        }
        var sheet = content.AsSpan().StartsWith(ZipSignature) ? ReadXlsx(content) : ReadCsv(Decode(content));
        if (sheet.Headers.Count == 0 || sheet.Rows.Count == 0)
        {
            throw RequestValidationException.ForField("file", HostTexts.Local("import.empty"));
        }
        return sheet;
    }

    /// <summary>UTF-8 when it has a BOM or decodes cleanly; otherwise GB18030 (Chinese Excel's "CSV").</summary>
    internal static string Decode(byte[] content)
    {
        if (content.AsSpan().StartsWith(Encoding.UTF8.Preamble))
        {
            return Encoding.UTF8.GetString(content, 3, content.Length - 3);
        }
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(content);
        }
        catch (DecoderFallbackException)
        {
            return Encoding.GetEncoding("GB18030").GetString(content);
        }
    }

    private static Sheet ReadCsv(string text)
    {
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture) { BadDataFound = null, MissingFieldFound = null, DetectColumnCountChanges = false };
        using var csv = new CsvParser(new StringReader(text), configuration);
        if (!csv.Read())
        {
            return new Sheet([], []);
        }
        var headers = csv.Record!.Select(Clean).ToList();
        var rows = new List<SheetRow>();
        var number = 1;
        while (csv.Read())
        {
            number++;
            var record = csv.Record!;
            if (record.All(string.IsNullOrWhiteSpace))
            {
                continue; // a blank line, as spreadsheets leave at the end
            }
            rows.Add(new SheetRow(number, headers.Select((h, i) => (h, v: i < record.Length ? Clean(record[i]) : ""))
                .Where(c => c.h.Length > 0).GroupBy(c => c.h).ToDictionary(g => g.Key, g => g.First().v, StringComparer.Ordinal)));
        }
        return new Sheet(headers.Where(h => h.Length > 0).ToList(), rows);
    }

    private static Sheet ReadXlsx(byte[] content)
    {
        try
        {
            using var stream = new MemoryStream(content);
            var rows = new List<SheetRow>();
            List<string>? headers = null;
            var number = 0;
            // Without a header row: A, B, C… keys, so the first row is read as the headers, whatever its cells hold.
            foreach (IDictionary<string, object?> row in stream.Query(useHeaderRow: false, excelType: ExcelType.XLSX))
            {
                number++;
                var cells = row.Values.Select(CellText).ToList();
                if (headers is null)
                {
                    headers = cells;
                    continue;
                }
                if (cells.All(string.IsNullOrWhiteSpace))
                {
                    continue;
                }
                rows.Add(new SheetRow(number, headers.Select((h, i) => (h, v: i < cells.Count ? cells[i] : ""))
                    .Where(c => c.h.Length > 0).GroupBy(c => c.h).ToDictionary(g => g.Key, g => g.First().v, StringComparer.Ordinal)));
            }
            return new Sheet((headers ?? []).Where(h => h.Length > 0).ToList(), rows);
        }
        catch (Exception e) when (e is not RequestValidationException)
        {
            // MiniExcel throws a variety of exceptions for a zip that is not a workbook; all of them mean "not a sheet".
            throw RequestValidationException.ForField("file", HostTexts.Local("import.unreadable"));
        }
    }

    /// <summary>A cell as text: dates as yyyy-MM-dd, numbers without exponent or grouping (a phone number stays whole).</summary>
    private static string CellText(object? value) => value switch
    {
        null => "",
        DateTime date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        double number => number.ToString("0.##########", CultureInfo.InvariantCulture),
        decimal number => number.ToString("0.##########", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture).Trim(),
        _ => Clean(value.ToString()),
    };

    private static string Clean(string? text) => (text ?? "").Trim().Trim('\uFEFF');
}
