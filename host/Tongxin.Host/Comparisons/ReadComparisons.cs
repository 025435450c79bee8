using System.Text.Json;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Errors;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;
using Tongxin.Host.Regions;
using Tongxin.Host.Reports;
using Tongxin.Host.Requests;
using Tongxin.Host.Security;
using Tongxin.Host.Text;

namespace Tongxin.Host.Comparisons;

/// <summary>
/// <c>GET /api/comparisons?quarter=</c>: the comparisons of the caller's county (of one quarter, or all, newest first),
/// each with the counts of the caller's region: civil affairs the county's, a supervisor the town's, a director the village's.
/// </summary>
[AllowedRoles(Role.CivilAffairs, Role.Supervisor, Role.ChildDirector)]
public sealed record ListComparisons(string? Quarter) : IRequest<IReadOnlyList<ComparisonSummary>>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "comparison.list";
    string IAuditedRequest.AuditSubjectType => "comparison";
    string? IAuditedRequest.AuditSubjectId => null;
}

internal sealed class ListComparisonsHandler(TongxinDbContext db, ICallerAccessor callers, TimeProvider clock)
    : IRequestHandler<ListComparisons, IReadOnlyList<ComparisonSummary>>
{
    public async Task<IReadOnlyList<ComparisonSummary>> Handle(ListComparisons request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var quarter = string.IsNullOrEmpty(request.Quarter) ? null : ReportPeriod.Quarter(request.Quarter, clock.GetUtcNow().UtcDateTime).Name;
        var countyCode = RegionPaths.County(caller.RegionPath);
        var comparisons = await db.RosterComparisons.AsNoTracking()
            .Where(c => c.CountyCode == countyCode && (quarter == null || c.Quarter == quarter))
            .ToListAsync(cancellationToken);
        var ids = comparisons.Select(c => c.Id).ToList();
        var items = await db.RosterComparisonItems.AsNoTracking()
            .Where(i => ids.Contains(i.ComparisonId) && i.RegionPath.StartsWith(caller.RegionPath))
            .Select(i => new { i.ComparisonId, i.Kind, Open = i.Resolution == null })
            .ToListAsync(cancellationToken);
        var byComparison = items.ToLookup(i => i.ComparisonId);
        return comparisons
            .OrderByDescending(c => c.Quarter, StringComparer.Ordinal).ThenBy(c => c.Source)
            .Select(c => ComparisonSummary.From(c, byComparison[c.Id].Select(i => (i.Kind, i.Open)).ToList()))
            .ToList();
    }
}

/// <summary>
/// <c>GET /api/comparisons/{id}?villageCode=&amp;state=open|resolved&amp;kind=</c>: one comparison, its progress per
/// village and its items, of the caller's region only (a director: their village's). A comparison of another county
/// answers 404; a village outside the caller's region 403. Every read is an audit row.
/// </summary>
[AllowedRoles(Role.CivilAffairs, Role.Supervisor, Role.ChildDirector)]
public sealed record GetComparison(string ComparisonId, string? VillageCode, string? State, string? Kind) : IRequest<ComparisonDetail>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "comparison.read";
    string IAuditedRequest.AuditSubjectType => "comparison";
    string? IAuditedRequest.AuditSubjectId => ComparisonId.Length <= 32 ? ComparisonId : null;
}

internal sealed class GetComparisonValidator : AbstractValidator<GetComparison>
{
    public GetComparisonValidator()
    {
        RuleFor(r => r.State).Must(s => s is null or "" or "open" or "resolved").WithMessage(_ => HostTexts.Local("comparison.state"));
        RuleFor(r => r.Kind).Must(k => string.IsNullOrEmpty(k) || ComparisonNames.TryReadKind(k, out _)).WithMessage(_ => HostTexts.Local("comparison.kind"));
    }
}

internal sealed class GetComparisonHandler(TongxinDbContext db, ICallerAccessor callers, RegionDirectory regions, FieldCipher cipher)
    : IRequestHandler<GetComparison, ComparisonDetail>
{
    public async Task<ComparisonDetail> Handle(GetComparison request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var comparison = await ComparisonAccess.FindAsync(db, caller, request.ComparisonId, cancellationToken);
        var scope = await regions.ResolveScopeAsync(string.IsNullOrEmpty(request.VillageCode) ? null : request.VillageCode, caller, cancellationToken);
        // Progress per village is over all the caller's items; the list is filtered.
        var all = await db.RosterComparisonItems.AsNoTracking()
            .Where(i => i.ComparisonId == comparison.Id && i.RegionPath.StartsWith(caller.RegionPath))
            .ToListAsync(cancellationToken);
        // The county's places, for names: a difference of village may name one outside the caller's.
        var places = (await regions.UnderAsync(comparison.RegionPath, cancellationToken)).ToDictionary(r => r.Code, StringComparer.Ordinal);
        var villages = all.GroupBy(i => i.VillageCode).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var village = places.GetValueOrDefault(g.Key);
            var town = village is null ? null : places.GetValueOrDefault(RegionPaths.Town(village.Path));
            return new VillageProgress(g.Key, village?.Name ?? g.Key, town?.Code ?? "", town?.Name, ComparisonCounts.Of(g.Select(i => (i.Kind, i.Resolution == null)).ToList()));
        }).ToList();
        ComparisonNames.TryReadKind(request.Kind, out var kind);
        var listed = all
            .Where(i => i.RegionPath.StartsWith(scope, StringComparison.Ordinal))
            .Where(i => request.State switch { "open" => i.Resolution == null, "resolved" => i.Resolution != null, _ => true })
            .Where(i => string.IsNullOrEmpty(request.Kind) || i.Kind == kind)
            .OrderBy(i => i.VillageCode, StringComparer.Ordinal).ThenBy(i => i.Resolution != null).ThenBy(i => i.Kind).ThenBy(i => i.Row).ThenBy(i => i.Id, StringComparer.Ordinal)
            .ToList();
        var views = await ComparisonItemViews.BuildAsync(db, cipher, caller, places, listed, cancellationToken);
        return new ComparisonDetail(ComparisonSummary.From(comparison, all.Select(i => (i.Kind, i.Resolution == null)).ToList()), villages, views);
    }
}

internal static class ComparisonAccess
{
    /// <summary>The comparison of the caller's county; any other (or none) is 404, so ids cannot be probed.</summary>
    public static async Task<RosterComparison> FindAsync(TongxinDbContext db, Caller caller, string id, CancellationToken cancellationToken, bool tracked = false)
    {
        var query = tracked ? db.RosterComparisons : db.RosterComparisons.AsNoTracking();
        var comparison = await query.SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (comparison is null || !caller.RegionPath.StartsWith(comparison.RegionPath, StringComparison.Ordinal))
        {
            throw new NotFoundException(HostTexts.Local("notFound.comparison"));
        }
        return comparison;
    }
}

internal static class ComparisonItemViews
{
    public static async Task<List<ComparisonItemView>> BuildAsync(
        TongxinDbContext db, FieldCipher cipher, Caller caller, IReadOnlyDictionary<string, Region> places, IReadOnlyList<RosterComparisonItem> items,
        CancellationToken cancellationToken)
    {
        var childIds = items.Select(i => i.ChildId).Where(id => id is not null).Distinct().ToList();
        var files = childIds.Count == 0 ? [] : await db.Children.AsNoTracking()
            .Where(c => childIds.Contains(c.Id))
            .Select(c => new { c.Id, c.FamilyName, c.GivenName, c.BirthDate, c.VillageCode, c.RegionPath, c.ClosedAt })
            .ToDictionaryAsync(c => c.Id, StringComparer.Ordinal, cancellationToken);
        var userIds = items.Select(i => i.ResolvedByUserId).Where(id => id is not null).Distinct().ToList();
        var users = userIds.Count == 0 ? [] : await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id))
            .ToDictionaryAsync(u => u.Id, u => u.UserName, StringComparer.Ordinal, cancellationToken);
        string VillageName(string? code) => code is not null && places.TryGetValue(code, out var r) ? r.Name : code ?? "";

        return items.Select(i =>
        {
            RosterSide? roster = i.Kind == ComparisonItemKind.NoRosterRow ? null
                : new RosterSide(i.Row, i.RosterName, i.RosterBirthDate, i.RosterVillageCode, VillageName(i.RosterVillageCode), i.RosterSchool, i.RosterGrade);
            FileSide? file = null;
            if (i.ChildId is not null)
            {
                // A file that has since moved out of the caller's region is named by its id only.
                file = files.TryGetValue(i.ChildId, out var f) && caller.CanSee(f.RegionPath)
                    ? new FileSide(f.Id, f.FamilyName + f.GivenName, f.BirthDate, f.VillageCode, VillageName(f.VillageCode), f.ClosedAt is not null)
                    : new FileSide(i.ChildId, null, null, null, null, null);
            }
            var differences = i.DifferencesJson is null ? [] : JsonSerializer.Deserialize<List<FieldDifference>>(i.DifferencesJson, ComparisonNames.Json)!
                .Select(d => d.Field == "village" ? d with { Roster = $"{VillageName(d.Roster)}（{d.Roster}）", File = $"{VillageName(d.File)}（{d.File}）" } : d)
                .ToList();
            return new ComparisonItemView(
                i.Id, ComparisonNames.Of(i.Kind), i.VillageCode, VillageName(i.VillageCode), i.Resolution is null ? "open" : "resolved", roster, file, differences,
                i.Resolution is { } r ? ComparisonNames.Of(r) : null, i.ResolutionNote is null ? null : cipher.Open(i.ResolutionNote), i.ResolvedChildId,
                i.ResolvedByUserId is null ? null : users.GetValueOrDefault(i.ResolvedByUserId), i.ResolvedAt);
        }).ToList();
    }
}
