using MediatR;
using Tongxin.Host.Errors;
using Tongxin.Host.Requests;
using Tongxin.Host.Text;

namespace Tongxin.Host.Reports;

internal sealed class ReportEndpoints : IEndpointGroup
{
    public void Map(IEndpointRouteBuilder app)
    {
        var reports = app.MapGroup("/api/reports").WithTags("Reports").RequireAuthorization().RequireRateLimiting(Security.RateLimitOptions.ListsAndExports);
        reports.MapGet("/gaps", async (string? regionCode, string? format, IMediator mediator, CancellationToken ct) =>
                Answer(Csv(format), await mediator.Send(new GetGapMap(regionCode), ct), ReportCsv.Gaps, r => $"gaps-{r.RegionCode}.csv"))
            .WithSummary("Gap map: per town and line, needs waiting (median and 90th-percentile days) against providers and free places; format=csv for a file")
            .ProducesProblem(400).ProducesProblem(403);
        reports.MapGet("/ledger", async (string? regionCode, string? quarter, string? format, IMediator mediator, CancellationToken ct) =>
                Answer(Csv(format), await mediator.Send(new GetLedger(regionCode, quarter), ct), ReportCsv.Ledger, r => $"ledger-{r.RegionCode}-{r.Quarter}.csv"))
            .WithSummary("Quarterly ledger (信息台账) per town, counts only; quarter=2026Q3 (default: this quarter); format=csv for a file")
            .ProducesProblem(400).ProducesProblem(403);
        reports.MapGet("/annual", async (string? regionCode, string? year, string? format, IMediator mediator, CancellationToken ct) =>
                Answer(Csv(format), await mediator.Send(new GetAnnualProgress(regionCode, year), ct), ReportCsv.Annual, r => $"annual-{r.RegionCode}-{r.Year}.csv"))
            .WithSummary("Annual progress report due 1 November (year = 1 Nov to 31 Oct), per town and in total; format=csv for a file")
            .ProducesProblem(400).ProducesProblem(403);
        reports.MapGet("/staffing", async (string? regionCode, string? format, IMediator mediator, CancellationToken ct) =>
                Answer(Csv(format), await mediator.Send(new GetStaffing(regionCode), ct), ReportCsv.Staffing, _ => "staffing.csv"))
            .WithSummary("Villages without a child director, or with over 30 children per director; format=csv for a file")
            .ProducesProblem(400).ProducesProblem(403);
        reports.MapGet("/reminders", async (string? regionCode, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListReportReminders(regionCode), ct)))
            .WithSummary("Reports due soon for the towns of the caller's region (ledger by the 20th of a quarter's last month, annual by 1 November)")
            .ProducesProblem(400).ProducesProblem(403);
        reports.MapPost("/reminders/run", async (RunReportReminders request, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(request, ct)))
            .WithSummary("Make the reminders due now for the caller's county (civil affairs; also runs on a timer)")
            .ProducesProblem(400).ProducesProblem(403);
    }

    /// <summary>JSON unless <c>format=csv</c>; any other format is a 400 naming the field, checked before the report is read.</summary>
    private static bool Csv(string? format) => format switch
    {
        null or "" or "json" => false,
        "csv" => true,
        _ => throw RequestValidationException.ForField("format", HostTexts.Local("report.format.values")),
    };

    private static IResult Answer<T>(bool csv, T report, Func<T, byte[]> write, Func<T, string> fileName) =>
        csv ? TypedResults.File(write(report), "text/csv; charset=utf-8", fileName(report)) : TypedResults.Ok(report);
}
