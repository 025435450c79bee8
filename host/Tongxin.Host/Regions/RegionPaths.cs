using Tongxin.Modules.Contracts;

namespace Tongxin.Host.Regions;

/// <summary>Reading the materialised region paths (<c>/county/town/village/</c>).</summary>
public static class RegionPaths
{
    public static string[] Codes(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);

    public static string County(string path) => Codes(path).FirstOrDefault() ?? "";

    public static string Town(string path) => Codes(path).ElementAtOrDefault(1) ?? "";

    public static string Village(string path) => Codes(path).ElementAtOrDefault(2) ?? "";

    /// <summary>
    /// How close a provider serving <paramref name="servedPath"/> is to a child at <paramref name="childPath"/>:
    /// the deepest level both share (same village &gt; same town &gt; same county).
    /// </summary>
    public static Proximity Between(string childPath, string servedPath)
    {
        var child = Codes(childPath);
        var served = Codes(servedPath);
        var shared = 0;
        while (shared < child.Length && shared < served.Length && child[shared] == served[shared])
        {
            shared++;
        }
        return shared switch
        {
            0 => Proximity.OutsideCounty,
            1 => Proximity.SameCounty,
            2 => Proximity.SameTown,
            _ => Proximity.SameVillage,
        };
    }

    /// <summary>The closest of several served regions (a programme covering several towns).</summary>
    public static Proximity Closest(string childPath, IEnumerable<string> servedPaths) =>
        servedPaths.Select(p => Between(childPath, p)).DefaultIfEmpty(Proximity.OutsideCounty).Min();

    /// <summary>Does a provider serving these regions reach this child at all (the child lies inside one of them)?</summary>
    public static bool Covers(IEnumerable<string> servedPaths, string childPath) =>
        servedPaths.Any(p => childPath.StartsWith(p, StringComparison.Ordinal));
}
