using System.Diagnostics;
using System.Text;

namespace Tongxin.LoadTests;

/// <summary>
/// Times the import of one large delivery CSV (default 100,000 rows) through
/// <c>POST /api/contracts/{id}/deliveries:bulk</c> on a fresh host: rows per second, end to end.
/// </summary>
internal static class ImportBenchmark
{
    public static async Task<int> RunAsync(Uri address, string admin, string adminPassword, int rows)
    {
        var county = await County.CreateAsync(address, admin, adminPassword, towns: 2, villagesPerTown: 3, childrenPerVillage: 50);
        var civil = await LoadClient.LoginAsync(address, "civil", County.Password);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var contract = LoadClient.Id(await civil.PostAsync("/api/contracts", new
        {
            organisationId = county.SocialWorkOrgId, line = "home-visit", title = "入户走访", regionCodes = county.Towns, units = rows, unitKind = "visit",
            unitPrice = 80m, startsOn = today.AddDays(-300).ToString("yyyy-MM-dd"), endsOn = today.AddDays(30).ToString("yyyy-MM-dd"), fundingSource = "budget",
        }));

        var csv = new StringBuilder("childId,at,units,kind,notes\n");
        for (var i = 0; i < rows; i++)
        {
            var (child, _) = county.Children[i % county.Children.Count];
            csv.Append(child).Append(',').Append(DateTime.UtcNow.AddDays(-(i % 280) - 1).ToString("O")).Append(",1,visit,入户走访第").Append(i).Append("次\n");
        }
        var body = csv.ToString();
        var shegong = await LoadClient.LoginAsync(address, "shegong", County.Password);
        var watch = Stopwatch.StartNew();
        using var response = await shegong.Http.PostAsync($"/api/contracts/{contract}/deliveries:bulk", new StringContent(body, Encoding.UTF8, "text/csv"));
        var result = await LoadClient.ReadAsync(response, "deliveries:bulk");
        watch.Stop();
        var imported = result["imported"]!.GetValue<int>();
        Console.WriteLine($"import: {imported} rows ({Encoding.UTF8.GetByteCount(body) / 1024 / 1024.0:F1} MiB) in {watch.Elapsed.TotalSeconds:F2} s = {imported / watch.Elapsed.TotalSeconds:F0} rows/s");
        return imported == rows ? 0 : 1;
    }
}
