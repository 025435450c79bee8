using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;

namespace Tongxin.Host.Offers;

/// <summary>
/// Who answers for a provider: the volunteer's own account, or the staff of the organisation that
/// registered the volunteer or runs the programme.
/// </summary>
internal static class ProviderAccess
{
    public static bool CanActFor(this Caller caller, Provider provider) => caller.Role switch
    {
        Role.Volunteer => provider.UserId is not null && provider.UserId == caller.UserId,
        Role.ProgrammeOwner or Role.SocialWorkOrg => provider.OrganisationId is not null && provider.OrganisationId == caller.OrganisationId,
        _ => false,
    };

    /// <summary>The providers a caller answers for.</summary>
    public static IQueryable<Provider> ActedForBy(this IQueryable<Provider> providers, Caller caller) => caller.Role switch
    {
        Role.Volunteer => providers.Where(p => p.UserId == caller.UserId),
        Role.ProgrammeOwner or Role.SocialWorkOrg when caller.OrganisationId is not null => providers.Where(p => p.OrganisationId == caller.OrganisationId),
        _ => providers.Where(_ => false),
    };

    public static async Task<Provider?> FindAsync(this TongxinDbContext db, string providerId, CancellationToken cancellationToken) =>
        await db.Providers.AsNoTracking().SingleOrDefaultAsync(p => p.Id == providerId, cancellationToken);
}

/// <summary>What a provider may know of a child: given name, age, gender — never the family name, birth date, situation or risk.</summary>
public sealed record ChildForProvider(string GivenName, int Age, Gender Gender);
