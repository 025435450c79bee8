using System.Text.Json;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Children;
using Tongxin.Host.Errors;
using Tongxin.Host.Identity;
using Tongxin.Host.Modules;
using Tongxin.Host.Persistence;
using Tongxin.Host.Regions;
using Tongxin.Host.Requests;
using Tongxin.Host.Text;

namespace Tongxin.Host.Needs;

public sealed record ReasonView(string Code, string Label, int Points);

public sealed record NeedOfferView(string Id, string ProviderId, string ProviderName, OfferStatus Status, int Score, IReadOnlyList<ReasonView> Reasons, DateTime ExpiresAt, string? DeclineReason);

public sealed record NeedView(
    string Id,
    string ChildId,
    string Line,
    NeedStatus Status,
    Urgency Urgency,
    JsonElement Details,
    IReadOnlyList<NeedOfferView> Offers,
    string? PairingId,
    string? MatchedProviderName,
    DateTime CreatedAt,
    DateTime UpdatedAt);

/// <summary>A need in a list; <see cref="MatchedAt"/> is when its pairing began (for "days to match").</summary>
/// <see cref="Escalation"/> is how far it has climbed while unplaced (village: not at all).
public sealed record NeedSummary(string Id, string ChildId, string Line, NeedStatus Status, Urgency Urgency, string VillageCode, DateTime CreatedAt, DateTime UpdatedAt, DateTime? MatchedAt,
    EscalationLevel Escalation = EscalationLevel.Village);

/// <summary><c>GET /api/needs/{id}</c>: the need, its offers with their reasons, and the pairing once matched.</summary>
[AllowedRoles(Role.ChildDirector, Role.Supervisor, Role.CivilAffairs)]
public sealed record GetNeed(string Id) : IRequest<NeedView>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "need.read";
    string IAuditedRequest.AuditSubjectType => "need";
    string? IAuditedRequest.AuditSubjectId => Id;
}

/// <summary><c>GET /api/needs?status=&amp;line=&amp;regionCode=</c>: needs in the caller's region.</summary>
[AllowedRoles(Role.ChildDirector, Role.Supervisor, Role.CivilAffairs, Role.ProgrammeOwner)]
public sealed record ListNeeds(NeedStatus? Status, string? Line, string? RegionCode) : IRequest<IReadOnlyList<NeedSummary>>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "need.list";
    string IAuditedRequest.AuditSubjectType => "region";
    string? IAuditedRequest.AuditSubjectId => RegionCode;
}

/// <summary>Reads needs for a caller: outside their region a need does not exist (404).</summary>
internal sealed class NeedReader(TongxinDbContext db)
{
    public async Task<NeedView> ReadAsync(string needId, Caller caller, CancellationToken cancellationToken)
    {
        var need = await db.Needs.AsNoTracking().SingleOrDefaultAsync(n => n.Id == needId, cancellationToken);
        if (need is null || !caller.CanSee(need.RegionPath))
        {
            throw new NotFoundException(HostTexts.Local("notFound.need"));
        }
        var offers = await (from offer in db.Offers.AsNoTracking()
                            join provider in db.Providers.AsNoTracking() on offer.ProviderId equals provider.Id
                            where offer.NeedId == needId
                            orderby offer.CreatedAt
                            select new { offer, provider.DisplayName }).ToListAsync(cancellationToken);
        var matched = need.PairingId is null ? null : offers.FirstOrDefault(o => o.offer.Status == OfferStatus.Accepted)?.DisplayName;
        return new NeedView(
            need.Id, need.ChildId, need.Line, need.Status, need.Urgency, JsonDocument.Parse(need.DetailsJson).RootElement.Clone(),
            offers.Select(o => new NeedOfferView(o.offer.Id, o.offer.ProviderId, o.DisplayName, o.offer.Status, o.offer.Score,
                OfferReasons.Read(o.offer.ReasonsJson), o.offer.ExpiresAt, o.offer.DeclineReason)).ToList(),
            need.PairingId, matched, need.CreatedAt, need.UpdatedAt);
    }
}

internal sealed class GetNeedHandler(NeedReader reader, ICallerAccessor callers) : IRequestHandler<GetNeed, NeedView>
{
    public Task<NeedView> Handle(GetNeed request, CancellationToken cancellationToken) => reader.ReadAsync(request.Id, callers.Current!, cancellationToken);
}

internal sealed class ListNeedsHandler(TongxinDbContext db, RegionDirectory regions, ICallerAccessor callers) : IRequestHandler<ListNeeds, IReadOnlyList<NeedSummary>>
{
    public async Task<IReadOnlyList<NeedSummary>> Handle(ListNeeds request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var scope = await regions.ResolveScopeAsync(request.RegionCode, caller, cancellationToken);
        var query = db.Needs.AsNoTracking().Where(n => n.RegionPath.StartsWith(scope));
        if (request.Status is { } status)
        {
            query = query.Where(n => n.Status == status);
        }
        if (!string.IsNullOrEmpty(request.Line))
        {
            query = query.Where(n => n.Line == request.Line);
        }
        if (caller.Role == Role.ProgrammeOwner)
        {
            // A women's federation or youth league is another organisation: it plans from the needs of children whose
            // guardian agreed to sharing their data beyond a pairing (GuardianConsent, docs/threat-model.md).
            var sharing = db.Children.Where(GuardianConsent.Covering(ConsentPurposes.DataSharing)).Select(c => c.Id);
            query = query.Where(n => sharing.Contains(n.ChildId));
        }
        var needs = await (from need in query
                           join pairing in db.Pairings.AsNoTracking() on need.PairingId equals pairing.Id into matched
                           from pairing in matched.DefaultIfEmpty()
                           orderby need.CreatedAt, need.Id
                           select new { need, MatchedAt = pairing == null ? (DateTime?)null : pairing.StartedAt })
            .Take(1000).ToListAsync(cancellationToken);
        var ids = needs.Select(n => n.need.Id).ToList();
        var levels = (await db.NeedEscalations.AsNoTracking().Where(e => ids.Contains(e.NeedId)).Select(e => new { e.NeedId, e.Level }).ToListAsync(cancellationToken))
            .GroupBy(e => e.NeedId).ToDictionary(g => g.Key, g => g.Max(e => e.Level));
        return needs.Select(n => new NeedSummary(n.need.Id, n.need.ChildId, n.need.Line, n.need.Status, n.need.Urgency, RegionPaths.Village(n.need.RegionPath),
            n.need.CreatedAt, n.need.UpdatedAt, n.MatchedAt, levels.GetValueOrDefault(n.need.Id, EscalationLevel.Village))).ToList();
    }
}

/// <summary>An offer's reasons as stored: code, both languages, points.</summary>
internal static class OfferReasons
{
    public sealed record Stored(string Code, string Zh, string En, int Points);

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Write(IEnumerable<Tongxin.Modules.Contracts.ScorePart> parts) =>
        JsonSerializer.Serialize(parts.Select(p => new Stored(p.Code, p.Label.Zh, p.Label.En, p.Points)), Options);

    /// <summary>
    /// What a provider may be told of why they were chosen: the fit, the nearness, the urgency — not the child's
    /// risk level or priority group, which are the file's business (README: field allow-lists).
    /// </summary>
    public static bool ProviderMaySee(string code) => !code.StartsWith("priority.risk", StringComparison.Ordinal) && code != "priority.group";

    public static IReadOnlyList<ReasonView> ForProvider(string json) => Read(json).Where(r => ProviderMaySee(r.Code)).ToList();

    public static IReadOnlyList<ReasonView> Read(string json) =>
        (JsonSerializer.Deserialize<List<Stored>>(json, Options) ?? [])
            .Select(r => new ReasonView(r.Code, new Tongxin.Modules.Contracts.LocalizedText(r.Zh, r.En).ForCurrentCulture(), r.Points))
            .ToList();
}

internal sealed class NeedEndpoints : IEndpointGroup
{
    public void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/api/children/{id}/needs", async (string id, CreateNeed request, IMediator mediator, CancellationToken ct) =>
            {
                var created = await mediator.Send(request with { ChildId = id }, ct);
                return TypedResults.Created($"/api/needs/{created.Id}", new { id = created.Id, status = created.Status });
            })
            .RequireAuthorization()
            .WithTags("Needs")
            .WithSummary("Request specific help for a child (child director)")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(422);

        var needs = app.MapGroup("/api/needs").WithTags("Needs").RequireAuthorization();
        needs.MapGet("/{id}", async (string id, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new GetNeed(id), ct)))
            .WithSummary("A need with its offers and reasons").ProducesProblem(404);
        needs.MapGet("", async (string? status, string? line, string? regionCode, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListNeeds(QueryValues.Enum<NeedStatus>(status, "status"), line, regionCode), ct)))
            .WithSummary("Needs in the caller's region")
            .RequireRateLimiting(Security.RateLimitOptions.ListsAndExports).ProducesProblem(400).ProducesProblem(403);
        needs.MapPost("/{id}/cancel", async (string id, CancelNeed request, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(request with { NeedId = id }, ct)))
            .WithSummary("Withdraw a need that is not matched yet").ProducesProblem(404).ProducesProblem(409);
    }
}
