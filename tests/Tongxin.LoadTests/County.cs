using System.Net.Http.Json;

namespace Tongxin.LoadTests;

/// <summary>A synthetic county set up through the API: towns, villages, a director per village, staff, children with consent.</summary>
internal sealed class County
{
    public const string Password = "Load#Test#2026";
    public const string CountyCode = "880000";

    public required IReadOnlyList<string> Villages { get; init; }
    public required IReadOnlyList<string> Towns { get; init; }
    public required string SocialWorkOrgId { get; init; }
    public required List<(string Id, string Village)> Children { get; init; }

    public static string Director(string village) => $"director-{village}";

    public static async Task<County> CreateAsync(Uri address, string adminUser, string adminPassword, int towns, int villagesPerTown, int childrenPerVillage)
    {
        var admin = await LoadClient.LoginAsync(address, adminUser, adminPassword);
        await admin.PostAsync("/api/regions", new { code = CountyCode, name = "压测县", kind = "county" });
        var townCodes = new List<string>();
        var villages = new List<string>();
        for (var t = 1; t <= towns; t++)
        {
            var town = $"{CountyCode}{t:D3}";
            townCodes.Add(town);
            await admin.PostAsync("/api/regions", new { code = town, name = $"镇{t}", kind = "town", parentCode = CountyCode });
            for (var v = 1; v <= villagesPerTown; v++)
            {
                var village = $"{town}{v:D3}";
                villages.Add(village);
                await admin.PostAsync("/api/regions", new { code = village, name = $"村{t}-{v}", kind = "village", parentCode = town });
                await admin.PostAsync("/api/users", new { userName = Director(village), password = Password, role = "child-director", regionCode = village });
            }
        }
        var civilOrg = LoadClient.Id(await admin.PostAsync("/api/organisations", new { name = "民政局", kind = "civil-affairs", regionCode = CountyCode }));
        var socialWork = LoadClient.Id(await admin.PostAsync("/api/organisations", new { name = "社工机构", kind = "social-work-org", regionCode = CountyCode }));
        var federation = LoadClient.Id(await admin.PostAsync("/api/organisations", new { name = "妇联", kind = "womens-federation", regionCode = CountyCode }));
        await admin.PostAsync("/api/users", new { userName = "civil", password = Password, role = "civil-affairs", regionCode = CountyCode, organisationId = civilOrg });
        await admin.PostAsync("/api/users", new { userName = "shegong", password = Password, role = "social-work-org", regionCode = CountyCode, organisationId = socialWork });
        await admin.PostAsync("/api/users", new { userName = "fulian", password = Password, role = "programme-owner", regionCode = CountyCode, organisationId = federation });
        for (var t = 0; t < townCodes.Count; t++)
        {
            await admin.PostAsync("/api/users", new { userName = $"supervisor-{townCodes[t]}", password = Password, role = "supervisor", regionCode = townCodes[t] });
        }

        var county = new County { Villages = villages, Towns = townCodes, SocialWorkOrgId = socialWork, Children = [] };
        foreach (var village in villages)
        {
            await county.AddChildrenAsync(address, village, childrenPerVillage);
        }
        return county;
    }

    /// <summary>More children in a village, with consent, filed by its director (through any host); returns their ids.</summary>
    public async Task<IReadOnlyList<string>> AddChildrenAsync(Uri address, string village, int count)
    {
        var birth = DateOnly.FromDateTime(DateTime.UtcNow).AddYears(-10).ToString("yyyy-MM-dd");
        var director = await LoadClient.LoginAsync(address, Director(village), Password);
        var created = await Task.WhenAll(Enumerable.Range(0, count).Select(i => director.PostAsync("/api/children", new
        {
            givenName = $"童{i}", familyName = "测", gender = i % 2 == 0 ? "female" : "male", birthDate = birth, villageCode = village,
            category = "left-behind", guardianSituation = "父母外出务工", riskLevel = i % 5 == 0 ? "high" : "low",
            guardianConsent = new { by = "祖母", relation = "grandmother", recordedAt = DateTime.UtcNow.AddDays(-1) },
        })));
        var ids = created.Select(LoadClient.Id).ToList();
        Children.AddRange(ids.Select(id => (id, village)));
        return ids;
    }

    /// <summary>Each village's director, signed in, by village code.</summary>
    public async Task<Dictionary<string, LoadClient>> SignInDirectorsAsync(Uri address)
    {
        var directors = new Dictionary<string, LoadClient>();
        foreach (var village in Villages)
        {
            directors[village] = await LoadClient.LoginAsync(address, Director(village), Password);
        }
        return directors;
    }

    /// <summary>
    /// A file has a history: a quarter's weekly calls and monthly visits, six contacts a child (a file read shows the
    /// last of each, so its query has them to find).
    /// </summary>
    public Task<PhaseResult> AddContactHistoryAsync(IReadOnlyDictionary<string, LoadClient> directors) =>
        Phase.RunAsync("set-up: contacts", 16, Children.Count * 6, i =>
        {
            var (child, village) = Children[i % Children.Count];
            var week = i / Children.Count;
            return directors[village].Http.PostAsJsonAsync($"/api/children/{child}/contacts", new
            {
                kind = week % 3 == 2 ? "home-visit" : "call", at = DateTime.UtcNow.AddDays(-7 * (week + 1)), notes = "电话联系，情况良好",
            });
        });
}
