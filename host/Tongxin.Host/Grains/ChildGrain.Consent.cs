using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Children;
using Tongxin.Host.Offers;
using Tongxin.Host.Persistence;

namespace Tongxin.Host.Grains;

/// <summary>The guardian's consent on the child's file: recording it, withdrawing it (all of it or some purposes), and what
/// matching does when its purpose comes or goes (pairings suspended or resumed, offers withdrawn).</summary>
internal sealed partial class ChildGrain
{
    public async Task RecordConsentAsync(GuardianConsentInput consent, string userId)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await databases.CreateDbContextAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var file = await db.Children.SingleAsync(c => c.Id == Key);
        db.Entry(file).Property(f => f.Version).OriginalValue = File.Version;
        file.ConsentBy = consent.By!.Trim();
        file.ConsentRelation = consent.Relation!.Trim();
        file.ConsentRecordedAt = consent.RecordedAt!.Value.ToUniversalTime();
        file.ConsentPurposesJson = System.Text.Json.JsonSerializer.Serialize(ConsentPurposes.OrAll(consent.Purposes));
        file.ConsentWithdrawnAt = null;
        file.ConsentWithdrawnReason = null;
        await FollowMatchingConsentAsync(db, file, now, "consent does not cover matching");
        file.Version = File.Version + 1;
        file.UpdatedAt = now;
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        Keep(file);
    }

    public async Task<int> WithdrawConsentAsync(string reason, IReadOnlyList<string>? purposes, string userId)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await databases.CreateDbContextAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var file = await db.Children.SingleAsync(c => c.Id == Key);
        db.Entry(file).Property(f => f.Version).OriginalValue = File.Version;
        var remaining = purposes is { Count: > 0 }
            ? ConsentPurposes.Of(file.ConsentPurposesJson).Except(purposes).ToList()
            : [];
        if (remaining.Count == 0)
        {
            // Nothing left: the consent itself is withdrawn.
            file.ConsentBy = null;
            file.ConsentRelation = null;
            file.ConsentRecordedAt = null;
        }
        file.ConsentPurposesJson = System.Text.Json.JsonSerializer.Serialize(remaining);
        file.ConsentWithdrawnAt = now;
        file.ConsentWithdrawnReason = reason;
        var suspended = await FollowMatchingConsentAsync(db, file, now, "consent withdrawn");
        file.Version = File.Version + 1;
        file.UpdatedAt = now;
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        Keep(file);
        return suspended;
    }

    /// <summary>
    /// Pairings and offers follow the consent to matching: without it, active pairings are suspended at once and offers
    /// waiting for an answer are withdrawn (their needs wait, unmatched); with it again, suspended pairings go on.
    /// Returns how many pairings were suspended.
    /// </summary>
    private async Task<int> FollowMatchingConsentAsync(TongxinDbContext db, ChildFile file, DateTime now, string offerWithdrawnReason)
    {
        if (file.Covers(ConsentPurposes.Matching))
        {
            foreach (var pairing in await db.Pairings.Where(p => p.ChildId == Key && p.Status == PairingStatus.Suspended).ToListAsync())
            {
                pairing.Status = PairingStatus.Active;
            }
            return 0;
        }
        var suspended = await db.Pairings.Where(p => p.ChildId == Key && p.Status == PairingStatus.Active).ToListAsync();
        foreach (var pairing in suspended)
        {
            pairing.Status = PairingStatus.Suspended;
        }
        var needs = await db.Needs.Where(n => n.ChildId == Key && n.Status == NeedStatus.Offered).ToListAsync();
        var needIds = needs.Select(n => n.Id).ToList();
        foreach (var offer in await db.Offers.Where(o => needIds.Contains(o.NeedId) && o.Status == OfferStatus.Pending).ToListAsync())
        {
            OfferEndings.End(offer, OfferStatus.Withdrawn, now, offerWithdrawnReason);
        }
        foreach (var need in needs)
        {
            OfferEndings.BackToMatching(need, now);
        }
        return suspended.Count;
    }
}
