using Tongxin.Host.Errors;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;
using Tongxin.Host.Text;

namespace Tongxin.Host.Regions;

internal static class RegionScope
{
    /// <summary>
    /// The regions a programme or contract covers (<c>regionCodes</c>): all known (400), all inside the caller's
    /// region (403), all in one county (400) — a county's money and volunteers serve that county.
    /// </summary>
    public static async Task<List<Region>> LoadCoveredRegionsAsync(this RegionDirectory directory, IReadOnlyList<string> regionCodes, Caller caller, CancellationToken cancellationToken)
    {
        var codes = regionCodes.Distinct().ToList();
        var regions = await directory.FindManyAsync(codes, cancellationToken);
        if (regions.Count != codes.Count)
        {
            throw RequestValidationException.ForField("regionCodes", HostTexts.Local("region.unknown"));
        }
        foreach (var region in regions)
        {
            caller.EnsureCanSee(region.Path);
        }
        if (regions.Select(r => RegionPaths.County(r.Path)).Distinct().Count() > 1)
        {
            throw RequestValidationException.ForField("regionCodes", HostTexts.Local("programme.regions.oneCounty"));
        }
        return regions;
    }

    /// <summary>
    /// The region path a list or report covers: the caller's own region, or a region inside it they named
    /// (<c>regionCode</c>): unknown → 400 naming the field, outside the caller's region → 403.
    /// </summary>
    public static async Task<string> ResolveScopeAsync(this RegionDirectory directory, string? regionCode, Caller caller, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(regionCode))
        {
            return caller.RegionPath;
        }
        var region = await directory.FindAsync(regionCode, cancellationToken)
            ?? throw RequestValidationException.ForField("regionCode", HostTexts.Local("region.unknown"));
        caller.EnsureCanSee(region.Path);
        return region.Path;
    }
}
