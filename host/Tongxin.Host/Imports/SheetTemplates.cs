using System.Text;
using MiniExcelLibs;
using Tongxin.Host.Errors;
using Tongxin.Host.Text;

namespace Tongxin.Host.Imports;

/// <summary>A file the host hands out: its bytes, type and proposed name.</summary>
public sealed record SheetFile(byte[] Content, string ContentType, string FileName);

/// <summary>An import's template: the accepted header row and an example row, as CSV (UTF-8 with a BOM) or .xlsx.</summary>
public static class SheetTemplates
{
    public static SheetFile Build(string name, string? format, IReadOnlyList<string> headers, IReadOnlyList<string> example)
    {
        switch (format ?? "csv")
        {
            case "csv":
                // The BOM makes Excel read the file as UTF-8 (without it, Chinese Excel assumes GB18030).
                var text = string.Join(",", headers) + "\r\n" + string.Join(",", example) + "\r\n";
                return new SheetFile([.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text)], "text/csv; charset=utf-8", name + ".csv");
            case "xlsx":
                var row = headers.Select((h, i) => KeyValuePair.Create(h, (object?)example[i])).ToDictionary();
                using (var stream = new MemoryStream())
                {
                    stream.SaveAs(new[] { row }, excelType: ExcelType.XLSX);
                    return new SheetFile(stream.ToArray(), SheetReader.XlsxContentType, name + ".xlsx");
                }
            default:
                throw RequestValidationException.ForField("format", HostTexts.Local("import.templateFormat"));
        }
    }
}
