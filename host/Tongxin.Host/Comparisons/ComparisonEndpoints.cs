using MediatR;
using Tongxin.Host.Imports;
using Tongxin.Host.Requests;

namespace Tongxin.Host.Comparisons;

internal sealed class ComparisonEndpoints : IEndpointGroup
{
    public void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/comparisons").WithTags("Comparisons").RequireAuthorization();
        group.MapPost("", async (HttpRequest http, string? source, string? quarter, IMediator mediator, CancellationToken ct) =>
            {
                var summary = await mediator.Send(new UploadComparison(http.Body, http.ContentType, source, quarter), ct);
                return TypedResults.Created($"/api/comparisons/{summary.Id}", summary);
            })
            // No Accepts(...) metadata: routing would answer 415 before the role check. The handler checks the type after it.
            .WithSummary("Compare the county's files with education's (学校, 年级, 姓名, 出生日期, 村/社区[, 身份证号]) or the police's (姓名, 出生日期, 户籍村[, 身份证号]) roster for a quarter")
            .WithDescription("Civil affairs. source=education|police, quarter=2026Q4 (default: this quarter). The body is the file itself: Content-Type text/csv "
                + "(UTF-8 or GB18030) or " + SheetReader.XlsxContentType + ". Every row is checked first: a bad row answers 400 naming `row N.<column>`, unknown or "
                + "missing headers 400 naming `headers`, and nothing is written. Rows match files by national ID number (compared as a keyed hash, never stored) "
                + "when both have one, else by full name and birth date within the county. Each finding is an item in its village: missing-file, no-roster-row "
                + "(education: only children aged 6–15), differs. A second upload of the same source and quarter replaces the first until an item is resolved (then 409).")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(409).ProducesProblem(415);
        group.MapGet("/template", async (string? source, string? format, IMediator mediator, CancellationToken ct) =>
            {
                var file = await mediator.Send(new GetComparisonTemplate(source, format), ct);
                return Results.File(file.Content, file.ContentType, file.FileName);
            })
            .WithSummary("A roster's template for the department: its headers and an invented example row (source=education|police, format=csv or xlsx)")
            .ProducesProblem(400).ProducesProblem(403);
        group.MapGet("", async (string? quarter, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new ListComparisons(quarter), ct)))
            .RequireRateLimiting(Security.RateLimitOptions.ListsAndExports)
            .WithSummary("The county's comparisons (of quarter=2026Q4, or all), each with its items counted in the caller's region; done when every item is resolved")
            .ProducesProblem(400).ProducesProblem(403);
        group.MapGet("/{id}", async (string id, string? villageCode, string? state, string? kind, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetComparison(id, villageCode, state, kind), ct)))
            .RequireRateLimiting(Security.RateLimitOptions.ListsAndExports)
            .WithSummary("One comparison: progress per village and its items in the caller's region (a child director: their village's)")
            .WithDescription("Filters: villageCode (inside the caller's region, else 403), state=open|resolved, kind=missing-file|no-roster-row|differs. "
                + "Each item shows what the roster said (never an ID number), the file it concerns and the fields that differ. Every read is audited.")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);
        group.MapPost("/{id}/items/{itemId}/resolve", async (string id, string itemId, ResolveComparisonItem request, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(request with { ComparisonId = id, ItemId = itemId }, ct)))
            .WithSummary("Resolve an item: { resolution: file-created|file-moved-or-closed|roster-wrong, note, childId (the new file, for file-created) }")
            .WithDescription("The village's child director or the town's supervisor. An item outside the caller's region answers 404, one already resolved 409, "
                + "file-created for anything but a missing file, or naming a file the caller cannot see or that is closed, 422. The last item resolved makes the comparison done.")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);
    }
}
