using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Errors;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;
using Tongxin.Host.Regions;
using Tongxin.Host.Requests;
using Tongxin.Host.Text;

namespace Tongxin.Host.Children;

/// <summary>
/// <c>GET /api/children?regionCode=&amp;riskLevel=&amp;page=&amp;pageSize=</c>: the files in a region of the
/// caller's scope (their own region when none is given), paged, highest risk first.
/// </summary>
[AllowedRoles(Role.ChildDirector, Role.Supervisor, Role.CivilAffairs)]
public sealed record ListChildren(string? RegionCode, RiskLevel? RiskLevel, int Page = 1, int PageSize = 20) : IRequest<ChildPage>, IAuditedRequest
{
    public const int MaxPageSize = 100;

    string IAuditedRequest.AuditAction => "child.list";
    string IAuditedRequest.AuditSubjectType => "region";
    string? IAuditedRequest.AuditSubjectId => RegionCode;
}

internal sealed class ListChildrenValidator : AbstractValidator<ListChildren>
{
    public ListChildrenValidator()
    {
        RuleFor(r => r.Page).GreaterThanOrEqualTo(1).WithMessage(_ => HostTexts.Local("field.min", 1));
        RuleFor(r => r.PageSize).InclusiveBetween(1, ListChildren.MaxPageSize).WithMessage(_ => HostTexts.Local("field.range", 1, ListChildren.MaxPageSize));
    }
}

internal sealed class ListChildrenHandler(TongxinDbContext db, RegionDirectory regions, ICallerAccessor callers, TimeProvider clock) : IRequestHandler<ListChildren, ChildPage>
{
    public async Task<ChildPage> Handle(ListChildren request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var scopePath = await regions.ResolveScopeAsync(request.RegionCode, caller, cancellationToken);
        var query = db.Children.AsNoTracking().Where(c => c.RegionPath.StartsWith(scopePath));
        if (request.RiskLevel is { } risk)
        {
            query = query.Where(c => c.RiskLevel == risk);
        }
        var total = await query.CountAsync(cancellationToken);
        var rows = await query
            .OrderBy(c => c.RegionPath).ThenBy(c => c.FamilyName).ThenBy(c => c.GivenName).ThenBy(c => c.Id)
            .Skip((request.Page - 1) * request.PageSize)
            .Take(request.PageSize)
            .ToListAsync(cancellationToken);
        var today = clock.Today();
        var items = rows
            .Select(c => new ChildSummary(c.Id, c.GivenName, c.FamilyName, c.Gender, ChinaCalendar.AgeOn(c.BirthDate, today), c.VillageCode, c.Category, c.RiskLevel, c.Version))
            .ToList();
        return new ChildPage(items, request.Page, request.PageSize, total);
    }
}
