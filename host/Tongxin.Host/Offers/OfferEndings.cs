using Tongxin.Host.Persistence;

namespace Tongxin.Host.Offers;

/// <summary>
/// How an offer ends without a pairing, written once for every place that ends one (declined, expired, withdrawn when
/// its need is cancelled, the capacity is taken or the guardian's consent no longer covers matching): the offer is
/// marked and answered now, its version moves on, and its need, if it was waiting on an offer, goes back to matching.
/// </summary>
internal static class OfferEndings
{
    public static void End(Offer offer, OfferStatus status, DateTime now, string? reason = null, string? byUserId = null)
    {
        offer.Status = status;
        offer.RespondedAt = now;
        offer.DeclineReason = reason ?? offer.DeclineReason;
        offer.RespondedByUserId = byUserId ?? offer.RespondedByUserId;
        offer.Version++;
    }

    /// <summary>An offer that will not be kept gives its need back to matching (unless it moved on meanwhile): true if it did.</summary>
    public static bool BackToMatching(Need need, DateTime now)
    {
        if (need.Status != NeedStatus.Offered)
        {
            return false;
        }
        need.Status = NeedStatus.Open;
        need.UpdatedAt = now;
        need.Version++;
        return true;
    }
}
