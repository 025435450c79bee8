namespace Tongxin.LoadTests;

/// <summary>
/// The reads whose region lookups go through the shared cache, against one host: who am I (the web app asks on
/// every page), the caller's regions (pickers), a town's files and needs by <c>regionCode</c>. Run it with and
/// without <c>redis</c> to see what the cache changes. Bounded: fixed request counts, loopback only.
/// </summary>
internal static class Lookups
{
    public static async Task<int> RunAsync(Uri address, string admin, string adminPassword, int requests)
    {
        var county = await County.CreateAsync(address, admin, adminPassword, towns: 2, villagesPerTown: 5, childrenPerVillage: 10);
        var civil = await LoadClient.LoginAsync(address, "civil", County.Password);
        var town = county.Towns[0];
        var results = new List<PhaseResult>();

        await Phase.RunAsync("warm-up", 8, 500, i => civil.Http.GetAsync(i % 2 == 0 ? "/api/me" : "/api/regions"));

        results.Add(await Phase.RunAsync("GET /api/me", 32, requests, _ => civil.Http.GetAsync("/api/me")));
        results.Add(await Phase.RunAsync("GET /api/regions (county)", 32, requests, _ => civil.Http.GetAsync("/api/regions")));
        results.Add(await Phase.RunAsync("GET /api/children?regionCode= (town)", 32, requests,
            _ => civil.Http.GetAsync($"/api/children?regionCode={town}&pageSize=5")));
        results.Add(await Phase.RunAsync("GET /api/needs?regionCode= (town)", 32, requests,
            _ => civil.Http.GetAsync($"/api/needs?regionCode={town}")));

        Console.WriteLine();
        Console.WriteLine($"county: {county.Towns.Count} towns, {county.Villages.Count} villages, {county.Children.Count} children");
        foreach (var result in results)
        {
            Console.WriteLine(result);
        }
        return results.Sum(r => r.Errors) == 0 ? 0 : 1;
    }
}
