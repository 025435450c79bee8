using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Errors;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;
using Tongxin.Host.Text;

namespace Tongxin.Host.Regions;

internal static class RegionScope
{
    /// <summary>
    /// The region path a list or report covers: the caller's own region, or a region inside it they named
    /// (<c>regionCode</c>): unknown → 400 naming the field, outside the caller's region → 403.
    /// </summary>
    public static async Task<string> ResolveScopeAsync(this TongxinDbContext db, string? regionCode, Caller caller, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(regionCode))
        {
            return caller.RegionPath;
        }
        var region = await db.Regions.AsNoTracking().SingleOrDefaultAsync(r => r.Code == regionCode, cancellationToken)
            ?? throw RequestValidationException.ForField("regionCode", HostTexts.Local("region.unknown"));
        caller.EnsureCanSee(region.Path);
        return region.Path;
    }
}
