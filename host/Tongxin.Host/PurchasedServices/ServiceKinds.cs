using Tongxin.Host.Modules;

namespace Tongxin.Host.PurchasedServices;

/// <summary>
/// What a contract can buy: a service line (counselling...) or one of the purchased services that are
/// not matching lines (DOMAIN.md, 004 §4.1: home visits and checks, hotline, guardianship assessment...).
/// </summary>
public static class ServiceKinds
{
    public static readonly IReadOnlyList<string> PurchasedOnly =
        ["home-visit", "hotline", "guardianship-assessment", "targeted-help", "publicity", "training", "supervision"];

    public static IReadOnlyList<string> All(ModuleCatalog modules) =>
        [.. modules.All.Select(m => m.Module.Info.Key), .. PurchasedOnly];

    public static bool IsMatchingLine(ModuleCatalog modules, string line) => modules.Find(line) is not null;
}

/// <summary>Money: stored in fen (分) as whole numbers, shown in yuan with two decimals.</summary>
public static class Money
{
    public static long ToFen(decimal yuan) => (long)decimal.Round(yuan * 100m, 0, MidpointRounding.AwayFromZero);

    public static decimal ToYuan(long fen) => fen / 100m;

    public static bool HasAtMostTwoDecimals(decimal yuan) => decimal.Round(yuan, 2) == yuan;
}
