using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Errors;
using Tongxin.Host.Identity;
using Tongxin.Host.Offers;
using Tongxin.Host.Persistence;
using Tongxin.Host.Text;

namespace Tongxin.Host.Safeguarding;

/// <summary>Who is "in contact with" a child: the file's staff by region, a provider by an active pairing, an organisation by a delivery.</summary>
internal static class ChildContact
{
    public static async Task<ChildFile?> FindForCallerAsync(TongxinDbContext db, string childId, Caller caller, CancellationToken cancellationToken)
    {
        var child = await db.Children.AsNoTracking().SingleOrDefaultAsync(c => c.Id == childId, cancellationToken);
        if (child is null)
        {
            return null;
        }
        if (caller.Role is Role.ChildDirector or Role.Supervisor or Role.CivilAffairs)
        {
            return caller.CanSee(child.RegionPath) ? child : null;
        }
        var mine = db.Providers.AsNoTracking().ActedForBy(caller).Select(p => p.Id);
        if (await db.Pairings.AnyAsync(p => p.ChildId == childId && p.Status == PairingStatus.Active && mine.Contains(p.ProviderId), cancellationToken))
        {
            return child;
        }
        if (caller.Role == Role.SocialWorkOrg && caller.OrganisationId is not null
            && await db.Deliveries.AnyAsync(d => d.ChildId == childId && db.Contracts.Any(c => c.Id == d.ContractId && c.OrganisationId == caller.OrganisationId), cancellationToken))
        {
            return child;
        }
        return null;
    }

    public static bool IsFileStaff(Caller caller) => caller.Role is Role.ChildDirector or Role.Supervisor or Role.CivilAffairs;
}

/// <summary>Which concerns a caller may open: staff those of their region, anyone else those they raised; otherwise 404.</summary>
internal static class ConcernAccess
{
    public static async Task<Concern> LoadForCallerAsync(TongxinDbContext db, string id, Caller caller, bool track, CancellationToken cancellationToken)
    {
        var query = track ? db.Concerns : db.Concerns.AsNoTracking();
        var concern = await query.SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        var visible = concern is not null && (ChildContact.IsFileStaff(caller) ? caller.CanSee(concern.RegionPath) : concern.RaisedByUserId == caller.UserId);
        return visible ? concern! : throw new NotFoundException(HostTexts.Local("notFound.concern"));
    }
}
