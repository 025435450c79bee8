using System.Text.Json;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Orleans;
using Tongxin.Host.Errors;
using Tongxin.Host.FieldWork;
using Tongxin.Host.Grains;
using Tongxin.Host.Identity;
using Tongxin.Host.Offers;
using Tongxin.Host.Persistence;
using Tongxin.Host.Providers;
using Tongxin.Host.Requests;
using Tongxin.Host.Text;
using Tongxin.Modules.Contracts;

namespace Tongxin.Host.Pairings;

/// <summary>A session; <c>Replayed</c> (only in the answer to a POST) when an earlier request with the same Idempotency-Key stored it.</summary>
public sealed record SessionView(string Id, DateTime At, int Minutes, string Notes)
{
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool Replayed { get; init; }
}

public sealed record PairingView(
    string Id,
    string NeedId,
    string ChildId,
    string Line,
    PairingStatus Status,
    DateTime StartedAt,
    DateTime? EndedAt,
    string? EndReason,
    string ProviderId,
    string ProviderName,
    ChildForProvider Child,
    JsonElement Details,
    IReadOnlyList<SessionView> Sessions)
{
    /// <summary>The entrusted carer's given name while the pairing is active, to arrange a session with (nothing else of the care arrangement).</summary>
    public string? CarerGivenName { get; init; }
}

/// <summary>
/// <c>GET /api/pairings/{id}</c>: for the provider side (the volunteer, their organisation) and for the staff of
/// the child's region. The provider side sees only what the pairing needs of the child.
/// </summary>
[AllowedRoles(Role.Volunteer, Role.ProgrammeOwner, Role.SocialWorkOrg, Role.ChildDirector, Role.Supervisor, Role.CivilAffairs)]
public sealed record GetPairing(string Id) : IRequest<PairingView>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "pairing.read";
    string IAuditedRequest.AuditSubjectType => "pairing";
    string? IAuditedRequest.AuditSubjectId => Id;
}

/// <summary><c>GET /api/pairings?mine=true</c>: the pairings of the caller (or their organisation's providers).</summary>
[AllowedRoles(Role.Volunteer, Role.ProgrammeOwner, Role.SocialWorkOrg)]
public sealed record ListMyPairings : IRequest<IReadOnlyList<PairingView>>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "pairing.list";
    // The caller's own pairings: the row's user is whose.
    string IAuditedRequest.AuditSubjectType => "user";
    string? IAuditedRequest.AuditSubjectId => null;
}

/// <summary><c>POST /api/pairings/{id}/sessions</c>: the provider logs a session.</summary>
[AllowedRoles(Role.Volunteer, Role.ProgrammeOwner, Role.SocialWorkOrg)]
public sealed record LogSession(DateTime? At, int? Minutes, string? Notes) : IRequest<SessionView>, IAuditedRequest
{
    [System.Text.Json.Serialization.JsonIgnore]
    public string PairingId { get; init; } = "";

    /// <summary>The client's <c>Idempotency-Key</c> header (a session queued on a phone offline): sent twice, stored once.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? IdempotencyKey { get; init; }

    string IAuditedRequest.AuditAction => "pairing.session.create";
    string IAuditedRequest.AuditSubjectType => "pairing";
    string? IAuditedRequest.AuditSubjectId => PairingId;
}

/// <summary><c>POST /api/pairings/{id}/end</c> <c>{ reason }</c>: ends the pairing and frees the provider's capacity.</summary>
[AllowedRoles(Role.Volunteer, Role.ProgrammeOwner, Role.SocialWorkOrg, Role.ChildDirector, Role.CivilAffairs)]
public sealed record EndPairing(string? Reason) : IRequest<PairingView>, IAuditedRequest
{
    [System.Text.Json.Serialization.JsonIgnore]
    public string PairingId { get; init; } = "";

    string IAuditedRequest.AuditAction => "pairing.end";
    string IAuditedRequest.AuditSubjectType => "pairing";
    string? IAuditedRequest.AuditSubjectId => PairingId;
}

internal sealed class LogSessionValidator : AbstractValidator<LogSession>
{
    public LogSessionValidator(TimeProvider clock)
    {
        RuleFor(r => r.At).Cascade(CascadeMode.Stop).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .Must(at => at!.Value.ToUniversalTime() <= clock.GetUtcNow().UtcDateTime.AddMinutes(5)).WithMessage(_ => HostTexts.Local("field.future"));
        RuleFor(r => r.Minutes).Cascade(CascadeMode.Stop).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .InclusiveBetween(1, 600).WithMessage(_ => HostTexts.Local("field.range", 1, 600));
        RuleFor(r => r.Notes).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .MaximumLength(2000).WithMessage(_ => HostTexts.Local("field.tooLong", 2000));
    }
}

internal sealed class EndPairingValidator : AbstractValidator<EndPairing>
{
    public EndPairingValidator()
    {
        RuleFor(r => r.Reason).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .MaximumLength(500).WithMessage(_ => HostTexts.Local("field.tooLong", 500));
    }
}

/// <summary>Reads a pairing for a caller: the provider side, or the staff of the child's region; otherwise 404.</summary>
internal sealed class PairingReader(TongxinDbContext db, TimeProvider clock, Security.FieldCipher cipher, Care.CareArrangementStore care)
{
    public async Task<(Pairing Pairing, Provider Provider, ChildFile Child, Need Need)> LoadAsync(string pairingId, Caller caller, CancellationToken cancellationToken)
    {
        var row = await (from pairing in db.Pairings.AsNoTracking()
                         join provider in db.Providers.AsNoTracking() on pairing.ProviderId equals provider.Id
                         join child in db.Children.AsNoTracking() on pairing.ChildId equals child.Id
                         join need in db.Needs.AsNoTracking() on pairing.NeedId equals need.Id
                         where pairing.Id == pairingId
                         select new { pairing, provider, child, need }).SingleOrDefaultAsync(cancellationToken);
        // The provider side loses access the moment consent is withdrawn (the pairing is suspended).
        var allowed = row is not null && ((caller.CanActFor(row.provider) && row.pairing.Status != PairingStatus.Suspended)
            || (caller.Role is Role.ChildDirector or Role.Supervisor or Role.CivilAffairs && caller.CanSee(row.child.RegionPath)));
        if (!allowed)
        {
            throw new NotFoundException(HostTexts.Local("notFound.pairing"));
        }
        return (row!.pairing, row.provider, row.child, row.need);
    }

    public async Task<PairingView> ViewAsync(Pairing pairing, Provider provider, ChildFile child, Need need, CancellationToken cancellationToken)
    {
        var sessions = (await db.PairingSessions.AsNoTracking().Where(s => s.PairingId == pairing.Id).OrderByDescending(s => s.At).ToListAsync(cancellationToken))
            .Select(s => new SessionView(s.Id, s.At, s.Minutes, cipher.Open(s.Notes))).ToList();
        return new PairingView(
            pairing.Id, pairing.NeedId, pairing.ChildId, pairing.Line, pairing.Status, pairing.StartedAt, pairing.EndedAt, pairing.EndReason,
            provider.Id, provider.DisplayName, new ChildForProvider(child.GivenName, ChinaCalendar.AgeOn(child.BirthDate, clock.Today()), child.Gender),
            JsonDocument.Parse(need.DetailsJson).RootElement.Clone(), sessions)
        {
            CarerGivenName = pairing.Status == PairingStatus.Active ? await care.CarerGivenNameAsync(child.Id, cancellationToken) : null,
        };
    }
}

internal sealed class GetPairingHandler(PairingReader reader, ICallerAccessor callers) : IRequestHandler<GetPairing, PairingView>
{
    public async Task<PairingView> Handle(GetPairing request, CancellationToken cancellationToken)
    {
        var (pairing, provider, child, need) = await reader.LoadAsync(request.Id, callers.Current!, cancellationToken);
        return await reader.ViewAsync(pairing, provider, child, need, cancellationToken);
    }
}

internal sealed class ListMyPairingsHandler(TongxinDbContext db, PairingReader reader, ICallerAccessor callers) : IRequestHandler<ListMyPairings, IReadOnlyList<PairingView>>
{
    public async Task<IReadOnlyList<PairingView>> Handle(ListMyPairings request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var mine = db.Providers.AsNoTracking().ActedForBy(caller).Select(p => p.Id);
        var ids = await db.Pairings.AsNoTracking().Where(p => mine.Contains(p.ProviderId) && p.Status != PairingStatus.Suspended).OrderByDescending(p => p.StartedAt)
            .Select(p => p.Id).Take(500).ToListAsync(cancellationToken);
        var views = new List<PairingView>();
        foreach (var id in ids)
        {
            var (pairing, provider, child, need) = await reader.LoadAsync(id, caller, cancellationToken);
            views.Add(await reader.ViewAsync(pairing, provider, child, need, cancellationToken));
        }
        return views;
    }
}

internal sealed class LogSessionHandler(
    TongxinDbContext db, PairingReader reader, ICallerAccessor callers, TimeProvider clock, Security.FieldCipher cipher, IOptions<FieldWorkOptions> fieldWork)
    : IRequestHandler<LogSession, SessionView>
{
    public async Task<SessionView> Handle(LogSession request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var (pairing, provider, _, _) = await reader.LoadAsync(request.PairingId, caller, cancellationToken);
        if (!caller.CanActFor(provider))
        {
            throw new NotFoundException(HostTexts.Local("notFound.pairing"));
        }
        var notes = request.Notes!.Trim();
        var hash = request.IdempotencyKey is null ? null : FieldRecords.Hash(caller.UserId, request.At, request.Minutes, notes);
        // A retry of a session already stored gets its answer even if the pairing has ended since.
        if (request.IdempotencyKey is not null && await EarlierAsync(pairing.Id, request.IdempotencyKey, hash!, notes, cancellationToken) is { } earlier)
        {
            return earlier;
        }
        if (pairing.Status != PairingStatus.Active)
        {
            throw new ConflictException(HostTexts.Local("pairing.notActive"));
        }
        var now = clock.GetUtcNow().UtcDateTime;
        FieldRecords.CheckNotTooOld(request.At!.Value, now, fieldWork.Value);
        var session = new PairingSession
        {
            Id = Ids.New(),
            PairingId = pairing.Id,
            At = request.At!.Value.ToUniversalTime(),
            Minutes = request.Minutes!.Value,
            Notes = cipher.Seal(notes),
            RecordedByUserId = caller.UserId,
            RecordedAt = now,
            IdempotencyKey = request.IdempotencyKey,
            RequestHash = hash,
        };
        db.PairingSessions.Add(session);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException) when (request.IdempotencyKey is not null)
        {
            // Two copies of the same upload at once (no grain serialises sessions): the unique (pairing, key) index let
            // one in; the other answers as its replay.
            db.ChangeTracker.Clear();
            return await EarlierAsync(pairing.Id, request.IdempotencyKey, hash!, notes, cancellationToken) ?? throw new ConflictException(HostTexts.Local("conflict.staleVersion"));
        }
        return new SessionView(session.Id, session.At, session.Minutes, notes);
    }

    private async Task<SessionView?> EarlierAsync(string pairingId, string key, string hash, string notes, CancellationToken cancellationToken)
    {
        var earlier = await db.PairingSessions.AsNoTracking().SingleOrDefaultAsync(s => s.PairingId == pairingId && s.IdempotencyKey == key, cancellationToken);
        if (earlier is null)
        {
            return null;
        }
        FieldRecords.EnsureSameBody(earlier.RequestHash, hash);
        return new SessionView(earlier.Id, earlier.At, earlier.Minutes, notes) { Replayed = true };
    }
}

internal sealed class EndPairingHandler(PairingReader reader, IGrainFactory grains, ICallerAccessor callers, IMediator mediator) : IRequestHandler<EndPairing, PairingView>
{
    public async Task<PairingView> Handle(EndPairing request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var (pairing, provider, _, _) = await reader.LoadAsync(request.PairingId, caller, cancellationToken);
        if (caller.Role == Role.Supervisor)
        {
            throw new AccessDeniedException(HostTexts.Local("forbidden.role", caller.Role.Name()));
        }
        var released = await grains.GetGrain<IProviderGrain>(provider.Id).EndPairingAsync(pairing.Id, request.Reason!.Trim(), caller.UserId);
        await mediator.Publish(new PairingEnded(pairing.Id, provider.Id, released.Line, released.CountyCode), cancellationToken);
        await mediator.Publish(new ProviderAvailable(provider.Id, [released.Line], released.CountyCode), cancellationToken);
        var (after, afterProvider, child, need) = await reader.LoadAsync(request.PairingId, caller, cancellationToken);
        return await reader.ViewAsync(after, afterProvider, child, need, cancellationToken);
    }
}

internal sealed class PairingEndpoints : IEndpointGroup
{
    public void Map(IEndpointRouteBuilder app)
    {
        var pairings = app.MapGroup("/api/pairings").WithTags("Pairings").RequireAuthorization();
        pairings.MapGet("/{id}", async (string id, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new GetPairing(id), ct)))
            .WithSummary("A pairing (provider side: only what the pairing needs of the child)").ProducesProblem(404);
        pairings.MapGet("", async (bool? mine, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new ListMyPairings(), ct)))
            .WithSummary("My pairings (mine=true)");
        pairings.MapPost("/{id}/sessions", async (string id, LogSession request, HttpRequest http, IMediator mediator, CancellationToken ct) =>
            {
                var session = await mediator.Send(request with { PairingId = id, IdempotencyKey = FieldRecords.IdempotencyKey(http) }, ct);
                return TypedResults.Created($"/api/pairings/{id}/sessions/{session.Id}", session);
            })
            .WithSummary("Log a session of the pairing")
            .WithDescription("`at` is when it took place: up to FieldWork:BackfillDays (30) back, older → 422 naming `at`. "
                + "Optional header Idempotency-Key (a session queued offline): the same key and body → the same answer with `replayed: true`; "
                + "another body → 409; a pairing no longer active → 409.")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);
        pairings.MapPost("/{id}/end", async (string id, EndPairing request, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(request with { PairingId = id }, ct)))
            .WithSummary("End the pairing with a reason; frees the provider's capacity").ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);
    }
}
