using FluentValidation;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tongxin.Modules.Contracts;
using Tongxin.Modules.Contracts.Requests;
using static Tongxin.Samples.LegalAid.LegalAidModule;

namespace Tongxin.Samples.LegalAid;

/// <summary>
/// <c>POST /api/lines/legal-aid/cases</c> <c>{ childId, caseKind }</c>: a child director (or the town or county) opens a
/// legal-aid case for a child of their region. The host's pipeline checks the role and the child's region before the
/// handler runs, validates the body, and writes the audit row in the child's trail.
/// </summary>
[AllowedRoles(Role.ChildDirector, Role.Supervisor, Role.CivilAffairs)]
public sealed record OpenLegalAidCase(string? ChildId, string? CaseKind) : IRequest<LegalAidCaseView>, IChildScopedRequest, IAuditedRequest
{
    string IChildScopedRequest.ChildId => ChildId ?? "";
    string IAuditedRequest.AuditAction => "legal-aid.case.open";
    string IAuditedRequest.AuditSubjectType => "child";
    string? IAuditedRequest.AuditSubjectId => ChildId;
}

/// <summary>
/// <c>GET /api/lines/legal-aid/cases</c>: the cases of the children in the caller's region, newest first. Audited: a list
/// of cases says which children have one.
/// </summary>
[AllowedRoles(Role.ChildDirector, Role.Supervisor, Role.CivilAffairs)]
public sealed record ListLegalAidCases : IRequest<IReadOnlyList<LegalAidCaseView>>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "legal-aid.case.list";
    string IAuditedRequest.AuditSubjectType => "legal-aid-case";
    string? IAuditedRequest.AuditSubjectId => null;
}

public sealed record LegalAidCaseView(string Id, string ChildId, string CaseKind, string Status, DateTime OpenedAt);

internal sealed class OpenLegalAidCaseValidator : AbstractValidator<OpenLegalAidCase>
{
    public OpenLegalAidCaseValidator()
    {
        RuleFor(r => r.ChildId).NotEmpty().WithMessage(_ => Texts["error.childId.required"].ForCurrentCulture());
        RuleFor(r => r.CaseKind).NotEmpty().WithMessage(_ => Texts["error.caseKind.required"].ForCurrentCulture());
        RuleFor(r => r.CaseKind).Must(kind => LegalAidSchema.CaseKindValues.Contains(kind!))
            .When(r => !string.IsNullOrEmpty(r.CaseKind))
            .WithMessage(_ => Texts["error.caseKind.unknown"].Format(string.Join(", ", LegalAidSchema.CaseKindValues)).ForCurrentCulture());
    }
}

internal sealed class OpenLegalAidCaseHandler(LegalAidDbContext db, IChildDirectory children, IRequestCallerAccessor callers, IOptions<LegalAidOptions> options, TimeProvider clock)
    : IRequestHandler<OpenLegalAidCase, LegalAidCaseView>
{
    public async Task<LegalAidCaseView> Handle(OpenLegalAidCase request, CancellationToken cancellationToken)
    {
        // The host has checked the child exists and is in the caller's region; the module reads only where it is.
        var child = (await children.FindAsync(request.ChildId!, cancellationToken))!;
        var open = await db.Cases.CountAsync(c => c.ChildId == child.Id && c.Status == "open", cancellationToken);
        if (open >= options.Value.OpenCasesPerChild)
        {
            throw new LineRuleException("childId", Texts["error.childId.tooManyOpen"].Format(options.Value.OpenCasesPerChild).ForCurrentCulture());
        }
        var opened = new LegalAidCase
        {
            Id = Guid.NewGuid().ToString("N"),
            ChildId = child.Id,
            RegionPath = child.RegionPath,
            CaseKind = request.CaseKind!,
            Status = "open",
            OpenedAt = clock.GetUtcNow().UtcDateTime,
            OpenedByUserId = callers.Current!.UserId,
        };
        db.Cases.Add(opened);
        await db.SaveChangesAsync(cancellationToken);
        return View(opened);
    }

    internal static LegalAidCaseView View(LegalAidCase c) => new(c.Id, c.ChildId, c.CaseKind, c.Status, c.OpenedAt);
}

internal sealed class ListLegalAidCasesHandler(LegalAidDbContext db, IRequestCallerAccessor callers)
    : IRequestHandler<ListLegalAidCases, IReadOnlyList<LegalAidCaseView>>
{
    public async Task<IReadOnlyList<LegalAidCaseView>> Handle(ListLegalAidCases request, CancellationToken cancellationToken)
    {
        // Scoped in SQL by the caller's region: a village director sees the village's cases, the county all of its.
        var scope = callers.Current!.RegionPath;
        var cases = await db.Cases.AsNoTracking()
            .Where(c => c.RegionPath.StartsWith(scope))
            .OrderByDescending(c => c.OpenedAt)
            .ToListAsync(cancellationToken);
        return cases.Select(OpenLegalAidCaseHandler.View).ToList();
    }
}

/// <summary>The line's endpoints, under the group the host gives it (<c>/api/lines/legal-aid</c>, signed-in only).</summary>
internal static class LegalAidCases
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/cases", async (OpenLegalAidCase body, IMediator mediator, CancellationToken ct) =>
            {
                var opened = await mediator.Send(body, ct);
                return TypedResults.Created($"/api/lines/legal-aid/cases/{opened.Id}", opened);
            })
            .WithSummary("Open a legal-aid case for a child of the caller's region (child director, supervisor, civil affairs)");
        endpoints.MapGet("/cases", async (IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new ListLegalAidCases(), ct)))
            .WithSummary("The legal-aid cases of the children in the caller's region");
    }
}
