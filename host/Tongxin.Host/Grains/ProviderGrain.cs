using Microsoft.EntityFrameworkCore;
using Orleans;
using Tongxin.Host.Audit;
using Tongxin.Host.Children;
using Tongxin.Host.Errors;
using Tongxin.Host.Notifications;
using Tongxin.Host.Offers;
using Tongxin.Host.Persistence;
using Tongxin.Host.Providers;
using Tongxin.Host.Text;

namespace Tongxin.Host.Grains;

/// <summary>What an accepted offer became.</summary>
[GenerateSerializer, Immutable]
public sealed record Accepted(
    [property: Id(0)] string PairingId, [property: Id(1)] string NeedId, [property: Id(2)] string ChildId, [property: Id(3)] string Line,
    [property: Id(4)] bool AlreadyAccepted);

/// <summary>An offer that could not be kept: the need goes back to matching.</summary>
[GenerateSerializer, Immutable]
public sealed record Released([property: Id(0)] string NeedId, [property: Id(1)] string Line, [property: Id(2)] string CountyCode);

/// <summary>
/// The answer to an acceptance: the pairing, or why the offer could not be kept (expired, the need gone, the
/// capacity taken). A refusal is an answer, not an exception, because it is committed (the offer is marked, the need
/// goes back to matching) and a call that returns is one that committed (<see cref="AuditRowFlow"/>). The request's
/// audit row commits with the refusal, as a conflict: the caller answers 409 (<see cref="Audit.PendingAudit.EndsAs"/>).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AcceptAnswer([property: Id(0)] Accepted? Accepted, [property: Id(1)] string? Refusal, [property: Id(2)] Released? Reopened);

/// <summary>
/// A volunteer or programme (key: provider id): its capacity and commitments. Accepting an offer,
/// declining it and ending a pairing run here one at a time per provider; across hosts, the provider's
/// and the need's versions make the accepting transaction fail for all but one writer, and the grain
/// retries the loser on fresh state (<see cref="VersionedGrain"/>), where it sees the capacity taken and answers 409.
/// </summary>
public interface IProviderGrain : ILocatableGrain
{
    Task<AcceptAnswer> AcceptOfferAsync(string offerId, string userId);

    Task<Released> DeclineOfferAsync(string offerId, string reason, string userId);

    Task<Released> EndPairingAsync(string pairingId, string reason, string userId);
}

internal sealed class ProviderGrain(IDbContextFactory<TongxinDbContext> databases, TimeProvider clock) : VersionedGrain, IProviderGrain
{
    private bool _exists;

    // State is read fresh inside each call's transaction; activation only checks the provider exists.
    protected override async Task LoadAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        _exists = await db.Providers.AnyAsync(p => p.Id == Key, cancellationToken);
    }

    protected override NotFoundException? Missing => _exists ? null : new NotFoundException(HostTexts.Local("notFound.provider"));

    public async Task<AcceptAnswer> AcceptOfferAsync(string offerId, string userId)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await databases.CreateDbContextAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var offer = await db.Offers.SingleOrDefaultAsync(o => o.Id == offerId && o.ProviderId == Key)
            ?? throw new NotFoundException(HostTexts.Local("notFound.offer"));
        if (offer.Status == OfferStatus.Accepted)
        {
            // Accepting twice is harmless: the same pairing again.
            var existing = await db.Pairings.AsNoTracking().SingleAsync(p => p.OfferId == offer.Id);
            return new AcceptAnswer(new Accepted(existing.Id, existing.NeedId, existing.ChildId, existing.Line, AlreadyAccepted: true), null, null);
        }
        if (offer.Status != OfferStatus.Pending)
        {
            throw new ConflictException(HostTexts.Local("offer.notPending", offer.Status.ToString().ToLowerInvariant()));
        }
        var need = await db.Needs.SingleAsync(n => n.Id == offer.NeedId);
        var provider = await db.Providers.SingleAsync(p => p.Id == Key);
        var child = await db.Children.AsNoTracking().SingleAsync(c => c.Id == need.ChildId);

        var (refusal, ending) = offer.ExpiresAt <= now ? (HostTexts.Local("offer.expired"), OfferStatus.Expired)
            : need.Status != NeedStatus.Offered ? (HostTexts.Local("offer.needGone"), OfferStatus.Withdrawn)
            : provider.Committed >= provider.Capacity ? (HostTexts.Local("offer.capacityTaken"), OfferStatus.Withdrawn)
            : ((string?)null, OfferStatus.Pending);
        if (refusal is not null)
        {
            // The offer cannot be kept: record that, and give the need back to matching.
            PendingAudit.Current?.EndsAs(AuditOutcomes.Conflict);
            OfferEndings.End(offer, ending, now);
            var reopened = OfferEndings.BackToMatching(need, now);
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
            return new AcceptAnswer(null, refusal, reopened ? new Released(need.Id, need.Line, need.CountyCode) : null);
        }
        if (child.Refusal(ConsentPurposes.Matching) is { } noConsent)
        {
            throw noConsent;
        }
        if (!ProviderJson.VettingValid(provider, now))
        {
            throw new RuleViolationException(HostTexts.Local("offer.vettingInvalid"), "vetting");
        }

        var pairing = new Pairing
        {
            Id = Ids.New(),
            NeedId = need.Id,
            ChildId = need.ChildId,
            ProviderId = provider.Id,
            OfferId = offer.Id,
            Line = need.Line,
            Status = PairingStatus.Active,
            StartedAt = now,
        };
        db.Pairings.Add(pairing);
        provider.Committed++;
        provider.Version++;
        provider.UpdatedAt = now;
        need.Status = NeedStatus.Matched;
        need.PairingId = pairing.Id;
        need.UpdatedAt = now;
        need.Version++;
        offer.Status = OfferStatus.Accepted;
        offer.RespondedAt = now;
        offer.RespondedByUserId = userId;
        offer.Version++;
        // The director who asked hears of it in the same transaction (issue 17).
        Outbox.Add(db, await NotificationRecipients.DirectorsAsync(db, need.RegionPath, CancellationToken.None),
            NotificationEvents.OfferAccepted, $"/needs/{need.Id}", new NotificationArgs(need.Line, child.GivenName), now);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        return new AcceptAnswer(new Accepted(pairing.Id, need.Id, need.ChildId, need.Line, AlreadyAccepted: false), null, null);
    }

    public async Task<Released> DeclineOfferAsync(string offerId, string reason, string userId)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await databases.CreateDbContextAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var offer = await db.Offers.SingleOrDefaultAsync(o => o.Id == offerId && o.ProviderId == Key)
            ?? throw new NotFoundException(HostTexts.Local("notFound.offer"));
        if (offer.Status != OfferStatus.Pending)
        {
            throw new ConflictException(HostTexts.Local("offer.notPending", offer.Status.ToString().ToLowerInvariant()));
        }
        var need = await db.Needs.SingleAsync(n => n.Id == offer.NeedId);
        OfferEndings.End(offer, OfferStatus.Declined, now, reason, userId);
        OfferEndings.BackToMatching(need, now);
        var givenName = await db.Children.AsNoTracking().Where(c => c.Id == need.ChildId).Select(c => c.GivenName).SingleAsync();
        Outbox.Add(db, await NotificationRecipients.DirectorsAsync(db, need.RegionPath, CancellationToken.None),
            NotificationEvents.OfferDeclined, $"/needs/{need.Id}", new NotificationArgs(need.Line, givenName), now);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        return new Released(need.Id, need.Line, need.CountyCode);
    }

    public async Task<Released> EndPairingAsync(string pairingId, string reason, string userId)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await databases.CreateDbContextAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var pairing = await db.Pairings.SingleOrDefaultAsync(p => p.Id == pairingId && p.ProviderId == Key)
            ?? throw new NotFoundException(HostTexts.Local("notFound.pairing"));
        if (pairing.Status != PairingStatus.Active)
        {
            throw new ConflictException(HostTexts.Local("pairing.notActive"));
        }
        var provider = await db.Providers.SingleAsync(p => p.Id == Key);
        var need = await db.Needs.SingleAsync(n => n.Id == pairing.NeedId);
        pairing.Status = PairingStatus.Ended;
        pairing.EndedAt = now;
        pairing.EndReason = reason;
        pairing.EndedByUserId = userId;
        provider.Committed = Math.Max(0, provider.Committed - 1);
        provider.Version++;
        provider.UpdatedAt = now;
        need.Status = NeedStatus.Closed;
        need.UpdatedAt = now;
        need.Version++;
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        return new Released(need.Id, need.Line, need.CountyCode);
    }
}
