using Microsoft.EntityFrameworkCore;
using Orleans;
using Tongxin.Host.Grains;
using Tongxin.Host.Persistence;
using Tongxin.Host.Requests;

namespace Tongxin.Host.Care;

/// <summary>
/// An entrusted-care agreement runs out with time, not with a write: once a day (with the daily notices) every child whose
/// agreement has ended and whose risk was not yet raised for it is reviewed by their grain, which raises the risk once.
/// The failing-care lists do not wait for this: they read the end date themselves.
/// </summary>
internal sealed class CareReview(IDbContextFactory<TongxinDbContext> databases, IGrainFactory grains, TimeProvider clock, ILogger<CareReview> logger)
{
    public const string SystemUser = "system";

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var today = clock.Today();
        var expired = CareRules.Key(FailingCareReason.AgreementExpired);
        var children = await db.CareArrangements.AsNoTracking()
            .Where(c => c.AgreementUntil < today && !c.RaisedFor.Contains(expired))
            .Select(c => c.ChildId).ToListAsync(cancellationToken);
        foreach (var child in children)
        {
            await grains.GetGrain<IChildGrain>(child).ReviewCareAsync(SystemUser);
        }
        if (children.Count > 0)
        {
            logger.LogInformation("{Count} entrusted-care agreements ran out; their files were reviewed.", children.Count);
        }
        return children.Count;
    }
}
