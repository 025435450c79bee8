using MediatR;
using Tongxin.Host.Requests;

namespace Tongxin.Host.Safeguarding;

internal sealed class ConcernEndpoints : IEndpointGroup
{
    public void Map(IEndpointRouteBuilder app)
    {
        var concerns = app.MapGroup("/api/concerns").WithTags("Safeguarding").RequireAuthorization();
        concerns.MapPost("", async (RaiseConcern request, IMediator mediator, CancellationToken ct) =>
            {
                var raised = await mediator.Send(request, ct);
                return TypedResults.Created($"/api/concerns/{raised.Id}", raised);
            })
            .WithSummary("Raise a concern (强制报告): reaches the town supervisor and civil affairs at once")
            .ProducesProblem(400).ProducesProblem(404);
        concerns.MapGet("", async (string? status, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new ListConcerns(status), ct)))
            .WithSummary("Concerns in the caller's region (staff), or the status of those the caller raised")
            .RequireRateLimiting(Security.RateLimitOptions.ListsAndExports)
            .ProducesProblem(400);
        concerns.MapGet("/{id}", async (string id, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new GetConcern(id), ct)))
            .WithSummary("A concern and its chain").ProducesProblem(404);
        concerns.MapPost("/{id}/steps", async (string id, RecordConcernStep request, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(request with { ConcernId = id }, ct)))
            .WithSummary("Record the next step: reported-to-police (with reference), assessed, referred, intervened, assisted")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);
    }
}
