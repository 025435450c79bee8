using MediatR;
using Tongxin.Host.FieldWork;
using Tongxin.Host.Persistence;
using Tongxin.Host.Requests;

namespace Tongxin.Host.Children;

internal sealed class ChildEndpoints : IEndpointGroup
{
    public void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/children").WithTags("Children").RequireAuthorization();

        group.MapPost("", async (CreateChild request, IMediator mediator, CancellationToken ct) =>
            {
                var saved = await mediator.Send(request, ct);
                return TypedResults.Created($"/api/children/{saved.Id}", saved);
            })
            .WithSummary("Open a child's file (child director of the village)")
            .ProducesProblem(400).ProducesProblem(403);

        group.MapGet("/{id}", async (string id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetChild(id), ct)))
            .WithSummary("Read a child's file (staff of its region)")
            .ProducesProblem(403).ProducesProblem(404);

        group.MapGet("", async (string? regionCode, string? riskLevel, int? page, int? pageSize, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListChildren(regionCode, QueryValues.Enum<RiskLevel>(riskLevel, "riskLevel"), page ?? 1, pageSize ?? 20), ct)))
            .WithSummary("List children's files in the caller's region, paged")
            .RequireRateLimiting(Security.RateLimitOptions.ListsAndExports)
            .ProducesProblem(400).ProducesProblem(403);

        group.MapPut("/{id}", async (string id, UpdateChild request, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(request with { Id = id }, ct)))
            .WithSummary("Update a child's file with the version read (stale version: 409)")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);

        group.MapPost("/{id}/contacts", async (string id, LogContact request, HttpRequest http, IMediator mediator, CancellationToken ct) =>
            {
                var logged = await mediator.Send(request with { ChildId = id, IdempotencyKey = FieldRecords.IdempotencyKey(http) }, ct);
                return TypedResults.Created($"/api/children/{id}/contacts/{logged.Id}", logged);
            })
            .WithSummary("Log a call or home visit")
            .WithDescription("`at` is when it happened: up to FieldWork:BackfillDays (30) back, older → 422 naming `at`. "
                + "Optional header Idempotency-Key (a record queued offline): the same key and body → the same answer with `replayed: true`, "
                + "nothing stored twice; the same key with another body → 409.")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);

        group.MapGet("/{id}/care-record", async (string id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetCareRecord(id), ct)))
            .WithSummary("The child's care and help record (关爱帮扶记录): pairings and purchased-service deliveries")
            .ProducesProblem(404);

        group.MapPost("/{id}/close", async (string id, CloseChildFile request, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(request with { ChildId = id }, ct)))
            .WithSummary("Close a child's file with a reason (kept, never deleted; 409 while needs are open or pairings active)")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);

        group.MapPost("/{id}/move", async (string id, MoveChildFile request, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(request with { ChildId = id }, ct)))
            .WithSummary("Move a child's file to another village (town supervisor or civil affairs; 409 while needs are open)")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        group.MapGet("/{id}/contacts", async (string id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListContacts(id), ct)))
            .WithSummary("The contact log of a child, newest first")
            .ProducesProblem(404);
    }
}
