using System.Text.Json;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Orleans;
using Tongxin.Host.Audit;
using Tongxin.Host.Errors;
using Tongxin.Host.Grains;
using Tongxin.Host.Identity;
using Tongxin.Host.Needs;
using Tongxin.Host.Persistence;
using Tongxin.Host.Providers;
using Tongxin.Host.Regions;
using Tongxin.Host.Requests;
using Tongxin.Host.Text;
using Tongxin.Modules.Contracts;

namespace Tongxin.Host.Offers;

public sealed record OfferView(
    string Id,
    string NeedId,
    string Line,
    OfferStatus Status,
    int Score,
    IReadOnlyList<ReasonView> Reasons,
    DateTime ExpiresAt,
    string ProviderId,
    string ProviderName,
    ChildForProvider Child,
    JsonElement Details);

/// <summary><c>GET /api/offers?mine=true</c>: offers made to the caller (or to the volunteers and programmes of their organisation).</summary>
[AllowedRoles(Role.Volunteer, Role.ProgrammeOwner, Role.SocialWorkOrg)]
public sealed record ListMyOffers(OfferStatus? Status) : IRequest<IReadOnlyList<OfferView>>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "offer.list";
    // The caller's own offers: the row's user is whose.
    string IAuditedRequest.AuditSubjectType => "user";
    string? IAuditedRequest.AuditSubjectId => null;
}

/// <summary><c>POST /api/offers/{id}/accept</c>: 200 with the pairing; 409 when the capacity or the need is gone.</summary>
[AllowedRoles(Role.Volunteer, Role.ProgrammeOwner, Role.SocialWorkOrg)]
public sealed record AcceptOffer(string OfferId) : IRequest<OfferAccepted>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "offer.accept";
    string IAuditedRequest.AuditSubjectType => "offer";
    string? IAuditedRequest.AuditSubjectId => OfferId;
}

public sealed record OfferAccepted(string PairingId);

/// <summary><c>POST /api/offers/{id}/decline</c> <c>{ reason }</c>: the need goes back to matching.</summary>
[AllowedRoles(Role.Volunteer, Role.ProgrammeOwner, Role.SocialWorkOrg)]
public sealed record DeclineOffer(string? Reason) : IRequest<OfferDeclined>, IAuditedRequest
{
    [System.Text.Json.Serialization.JsonIgnore]
    public string OfferId { get; init; } = "";

    string IAuditedRequest.AuditAction => "offer.decline";
    string IAuditedRequest.AuditSubjectType => "offer";
    string? IAuditedRequest.AuditSubjectId => OfferId;
}

public sealed record OfferDeclined(string OfferId, OfferStatus Status);

internal sealed class DeclineOfferValidator : AbstractValidator<DeclineOffer>
{
    public DeclineOfferValidator()
    {
        RuleFor(r => r.Reason).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .MaximumLength(500).WithMessage(_ => HostTexts.Local("field.tooLong", 500));
    }
}

internal sealed class ListMyOffersHandler(TongxinDbContext db, ICallerAccessor callers, TimeProvider clock) : IRequestHandler<ListMyOffers, IReadOnlyList<OfferView>>
{
    public async Task<IReadOnlyList<OfferView>> Handle(ListMyOffers request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var mine = db.Providers.AsNoTracking().ActedForBy(caller).Select(p => p.Id);
        var query = from offer in db.Offers.AsNoTracking()
                    join provider in db.Providers.AsNoTracking() on offer.ProviderId equals provider.Id
                    join need in db.Needs.AsNoTracking() on offer.NeedId equals need.Id
                    join child in db.Children.AsNoTracking() on need.ChildId equals child.Id
                    where mine.Contains(offer.ProviderId)
                    select new { offer, provider.DisplayName, need.DetailsJson, child.GivenName, child.BirthDate, child.Gender };
        if (request.Status is { } status)
        {
            query = query.Where(x => x.offer.Status == status);
        }
        var rows = await query.OrderByDescending(x => x.offer.CreatedAt).Take(500).ToListAsync(cancellationToken);
        var today = clock.Today();
        return rows.Select(x =>
        {
            // The provider's view of the score: the parts they may see, so the number and its reasons agree.
            var reasons = OfferReasons.ForProvider(x.offer.ReasonsJson);
            return new OfferView(
                x.offer.Id, x.offer.NeedId, x.offer.Line, x.offer.Status, reasons.Sum(r => r.Points), reasons, x.offer.ExpiresAt,
                x.offer.ProviderId, x.DisplayName, new ChildForProvider(x.GivenName, ChinaCalendar.AgeOn(x.BirthDate, today), x.Gender),
                JsonDocument.Parse(x.DetailsJson).RootElement.Clone());
        }).ToList();
    }
}

internal sealed class AcceptOfferHandler(TongxinDbContext db, IGrainFactory grains, ICallerAccessor callers, IMediator mediator)
    : IRequestHandler<AcceptOffer, OfferAccepted>
{
    public async Task<OfferAccepted> Handle(AcceptOffer request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var provider = await OfferOwner.RequireAsync(db, request.OfferId, caller, cancellationToken);
        var answer = await grains.GetGrain<IProviderGrain>(provider.Id).AcceptOfferAsync(request.OfferId, caller.UserId);
        if (answer.Accepted is not { } accepted)
        {
            // The offer could not be kept: the grain committed that with this request's audit row, as a conflict.
            PendingAudit.Current?.EndsAs(AuditOutcomes.Conflict);
            // Its need is open again and should be matched again without waiting for some other need or provider to
            // wake its county's matching.
            if (answer.Reopened is { } reopened)
            {
                await mediator.Publish(new NeedReopened(reopened.NeedId, reopened.Line, reopened.CountyCode), cancellationToken);
            }
            throw new ConflictException(answer.Refusal!);
        }
        if (!accepted.AlreadyAccepted)
        {
            await mediator.Publish(new PairingAccepted(accepted.PairingId, accepted.NeedId, accepted.ChildId, provider.Id, accepted.Line), cancellationToken);
        }
        return new OfferAccepted(accepted.PairingId);
    }
}

internal sealed class DeclineOfferHandler(TongxinDbContext db, IGrainFactory grains, ICallerAccessor callers, IMediator mediator)
    : IRequestHandler<DeclineOffer, OfferDeclined>
{
    public async Task<OfferDeclined> Handle(DeclineOffer request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var provider = await OfferOwner.RequireAsync(db, request.OfferId, caller, cancellationToken);
        var released = await grains.GetGrain<IProviderGrain>(provider.Id).DeclineOfferAsync(request.OfferId, request.Reason!.Trim(), caller.UserId);
        await mediator.Publish(new NeedReopened(released.NeedId, released.Line, released.CountyCode), cancellationToken);
        return new OfferDeclined(request.OfferId, OfferStatus.Declined);
    }
}

internal static class OfferOwner
{
    /// <summary>The provider an offer was made to, if the caller answers for it; otherwise the offer does not exist for them.</summary>
    public static async Task<Provider> RequireAsync(TongxinDbContext db, string offerId, Caller caller, CancellationToken cancellationToken)
    {
        var providerId = await db.Offers.AsNoTracking().Where(o => o.Id == offerId).Select(o => o.ProviderId).SingleOrDefaultAsync(cancellationToken);
        var provider = providerId is null ? null : await db.FindAsync(providerId, cancellationToken);
        if (provider is null || !caller.CanActFor(provider))
        {
            throw new NotFoundException(HostTexts.Local("notFound.offer"));
        }
        return provider;
    }
}

internal sealed class OfferEndpoints : IEndpointGroup
{
    public void Map(IEndpointRouteBuilder app)
    {
        var offers = app.MapGroup("/api/offers").WithTags("Offers").RequireAuthorization();
        offers.MapGet("", async (bool? mine, string? status, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListMyOffers(QueryValues.Enum<OfferStatus>(status, "status")), ct)))
            .WithSummary("Offers made to me (mine=true), with the reasons they were matched");
        offers.MapPost("/{id}/accept", async (string id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new AcceptOffer(id), ct)))
            .WithSummary("Accept an offer: a pairing begins (409 when the capacity or the need is gone)")
            .ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);
        offers.MapPost("/{id}/decline", async (string id, DeclineOffer request, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(request with { OfferId = id }, ct)))
            .WithSummary("Decline an offer with a reason; the need goes back to matching")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);
    }
}
