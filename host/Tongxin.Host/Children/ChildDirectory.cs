using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Persistence;

namespace Tongxin.Host.Children;

/// <summary>
/// What a module may know of a child (<see cref="IChildDirectory"/>): its village and region path, what the guardian's
/// consent covers by the one consent rule (<see cref="GuardianConsent"/>), and whether the file is closed. Nothing else
/// of the file leaves the host this way.
/// </summary>
internal sealed class ChildDirectory(TongxinDbContext db) : IChildDirectory
{
    public async Task<ChildInScope?> FindAsync(string childId, CancellationToken cancellationToken = default)
    {
        var file = await db.Children.AsNoTracking().FirstOrDefaultAsync(c => c.Id == childId, cancellationToken);
        if (file is null)
        {
            return null;
        }
        var purposes = ConsentPurposes.All.Where(file.Covers).ToHashSet(StringComparer.Ordinal);
        return new ChildInScope(file.Id, file.VillageCode, file.RegionPath, purposes, file.ClosedAt is not null);
    }
}
