using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Errors;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;
using Tongxin.Host.Regions;
using Tongxin.Host.Text;

namespace Tongxin.Host.Children;

/// <summary>Loading a child's file for a caller: outside the caller's region it does not exist (404), so ids cannot be probed.</summary>
internal static class ChildScope
{
    public static async Task<ChildFile> LoadForCallerAsync(this TongxinDbContext db, string childId, Caller caller, bool track, CancellationToken cancellationToken)
    {
        var query = track ? db.Children : db.Children.AsNoTracking();
        var child = await query.SingleOrDefaultAsync(c => c.Id == childId, cancellationToken);
        if (child is null || !caller.CanSee(child.RegionPath))
        {
            throw NotFoundException.Child();
        }
        return child;
    }

    /// <summary>The village a file is placed in: it must exist, be a village, and lie inside the caller's region.</summary>
    public static async Task<Region> LoadVillageForCallerAsync(this RegionDirectory regions, string villageCode, Caller caller, CancellationToken cancellationToken)
    {
        var village = await regions.FindAsync(villageCode, cancellationToken);
        if (village is null || village.Kind != RegionKind.Village)
        {
            throw RequestValidationException.ForField("villageCode", HostTexts.Local("child.village.unknown"));
        }
        caller.EnsureCanSee(village.Path);
        return village;
    }
}
