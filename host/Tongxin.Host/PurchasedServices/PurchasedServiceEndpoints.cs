using MediatR;
using Tongxin.Host.Errors;
using Tongxin.Host.Identity;
using Tongxin.Host.Requests;
using Tongxin.Host.Text;

namespace Tongxin.Host.PurchasedServices;

/// <summary><c>GET /api/contracts/{id}/deliveries.csv</c> and <c>…/reconciliation.csv</c>: exports, audited.</summary>
[AllowedRoles(Role.CivilAffairs, Role.Supervisor, Role.SocialWorkOrg)]
public sealed record ExportContract(string ContractId, string What) : IRequest<byte[]>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => $"contract.{What}.export";
    string IAuditedRequest.AuditSubjectType => "contract";
    string? IAuditedRequest.AuditSubjectId => ContractId;
}

internal sealed class ExportContractHandler(IMediator mediator) : IRequestHandler<ExportContract, byte[]>
{
    public async Task<byte[]> Handle(ExportContract request, CancellationToken cancellationToken)
    {
        if (request.What == "deliveries")
        {
            var deliveries = await mediator.Send(new ListDeliveries(request.ContractId), cancellationToken);
            return CsvRows.Write(
                ["deliveryId", "childId", "villageCode", "at", "units", "kind", "status", "correctsId", "statusReason", "reportedAt"],
                deliveries.Select(d => new object?[] { d.Id, d.ChildId, d.VillageCode, d.At, d.Units, DeliveryRules.Kebab(d.Kind), d.Status.ToString().ToLowerInvariant(), d.CorrectsId, d.StatusReason, d.ReportedAt }));
        }
        var r = await mediator.Send(new GetReconciliation(request.ContractId), cancellationToken);
        var rows = new List<object?[]>
        {
            new object?[] { "total", "contracted", r.Contracted, r.ContractedAmount, "" },
            new object?[] { "total", "delivered", r.Delivered, r.Spent, "" },
            new object?[] { "total", "remaining", r.Remaining, r.RemainingAmount, "" },
        };
        rows.AddRange(r.ByTown.Select(t => new object?[] { "town", $"{t.TownCode} {t.TownName}", t.Units, t.Amount, $"{t.Children}" }));
        rows.AddRange(r.ByMonth.Select(m => new object?[] { "month", m.Month, m.Units, m.Amount, "" }));
        rows.AddRange(r.Flags.Select(f => new object?[] { "flag", f.Kind, f.Count, f.Share, f.Message }));
        return CsvRows.Write(["section", "item", "units", "amountYuan", "detail"], rows);
    }
}

internal sealed class PurchasedServiceEndpoints : IEndpointGroup
{
    public void Map(IEndpointRouteBuilder app)
    {
        var contracts = app.MapGroup("/api/contracts").WithTags("Purchased services").RequireAuthorization();
        contracts.MapPost("", async (CreateContract request, IMediator mediator, CancellationToken ct) =>
            {
                var contract = await mediator.Send(request, ct);
                return TypedResults.Created($"/api/contracts/{contract.Id}", contract);
            })
            .WithSummary("Buy a service from a social-work organisation (civil affairs)")
            .WithDescription("`fundingSource` (budget | welfare-lottery | not-stated) is optional, as in API.md: absent means `not-stated`.")
            .ProducesProblem(400).ProducesProblem(403);
        contracts.MapGet("", async (IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new ListContracts(), ct)))
            .WithSummary("Contracts the caller may see");
        contracts.MapGet("/{id}", async (string id, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new GetContract(id), ct)))
            .WithSummary("A contract").ProducesProblem(404);
        contracts.MapPost("/{id}/deliveries", async (string id, ReportDelivery request, HttpRequest http, IMediator mediator, CancellationToken ct) =>
            {
                var reported = await mediator.Send(request with { ContractId = id, IdempotencyKey = http.Headers["Idempotency-Key"].FirstOrDefault() }, ct);
                return TypedResults.Created($"/api/deliveries/{reported.Id}", reported);
            })
            .WithSummary("Report a delivery (header Idempotency-Key; same key and body → same answer)")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(422);
        contracts.MapPost("/{id}/deliveries:bulk", async (string id, HttpRequest http, IMediator mediator, CancellationToken ct) =>
            {
                if (http.ContentType?.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) != true)
                {
                    throw new BadHttpRequestException(HostTexts.Local("csv.contentType"), StatusCodes.Status415UnsupportedMediaType);
                }
                var imported = await mediator.Send(new ImportDeliveries(id, http.Body), ct);
                return TypedResults.Created($"/api/contracts/{id}/deliveries", imported);
            })
            .Accepts<string>("text/csv")
            .WithSummary("Upload deliveries as CSV (childId,at,units,kind,notes): every row checked, all written or none")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(415).ProducesProblem(422);
        contracts.MapGet("/{id}/deliveries", async (string id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListDeliveries(id), ct)))
            .WithSummary("Deliveries of a contract (a supervisor sees their town's)")
            .RequireRateLimiting(Security.RateLimitOptions.ListsAndExports);
        contracts.MapGet("/{id}/reconciliation", async (string id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetReconciliation(id), ct)))
            .WithSummary("Contracted, delivered, remaining, spent; by town and month; flags")
            .RequireRateLimiting(Security.RateLimitOptions.ListsAndExports).ProducesProblem(404);
        contracts.MapGet("/{id}/deliveries.csv", async (string id, IMediator mediator, CancellationToken ct) =>
                Results.File(await mediator.Send(new ExportContract(id, "deliveries"), ct), "text/csv; charset=utf-8", $"deliveries-{id}.csv"))
            .WithSummary("Deliveries as CSV (UTF-8 with BOM)")
            .RequireRateLimiting(Security.RateLimitOptions.ListsAndExports).ProducesProblem(404);
        contracts.MapGet("/{id}/reconciliation.csv", async (string id, IMediator mediator, CancellationToken ct) =>
                Results.File(await mediator.Send(new ExportContract(id, "reconciliation"), ct), "text/csv; charset=utf-8", $"reconciliation-{id}.csv"))
            .WithSummary("Reconciliation as CSV (UTF-8 with BOM)")
            .RequireRateLimiting(Security.RateLimitOptions.ListsAndExports).ProducesProblem(404);

        var deliveries = app.MapGroup("/api/deliveries").WithTags("Purchased services").RequireAuthorization();
        deliveries.MapPost("/{id}/correct", async (string id, CorrectDelivery request, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(request with { DeliveryId = id }, ct)))
            .WithSummary("Correct a delivery with a reason (the original stays, marked corrected)")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);
        deliveries.MapPost("/{id}/withdraw", async (string id, WithdrawDelivery request, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(request with { DeliveryId = id }, ct)))
            .WithSummary("Withdraw a delivery with a reason (the row stays, marked withdrawn)")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);
    }
}
