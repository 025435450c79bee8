using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Errors;
using Tongxin.Host.Grains;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;
using Tongxin.Host.Regions;
using Tongxin.Host.Requests;
using Tongxin.Host.Security;
using Tongxin.Host.Text;

namespace Tongxin.Host.Comparisons;

/// <summary>
/// <c>POST /api/comparisons/{id}/items/{itemId}/resolve</c> <c>{ resolution, note, childId? }</c>: the village's child
/// director or the town's supervisor settles one item: <c>file-created</c> (a possible missing file: the new file is
/// linked by <c>childId</c>), <c>file-moved-or-closed</c>, or <c>roster-wrong</c>, always with a note. An item outside the
/// caller's region answers 404; one already resolved 409. The last item resolved makes the comparison done.
/// </summary>
[AllowedRoles(Role.ChildDirector, Role.Supervisor)]
public sealed record ResolveComparisonItem(string? Resolution, string? Note, string? ChildId) : IRequest<ComparisonItemResolved>, IAuditedRequest
{
    [System.Text.Json.Serialization.JsonIgnore]
    public string ComparisonId { get; init; } = "";

    [System.Text.Json.Serialization.JsonIgnore]
    public string ItemId { get; init; } = "";

    string IAuditedRequest.AuditAction => "comparison.item.resolve";
    string IAuditedRequest.AuditSubjectType => "comparison-item";
    string? IAuditedRequest.AuditSubjectId => ItemId.Length <= 32 ? ItemId : null;
}

internal sealed class ResolveComparisonItemValidator : AbstractValidator<ResolveComparisonItem>
{
    public ResolveComparisonItemValidator()
    {
        RuleFor(r => r.Resolution).Must(r => ComparisonNames.TryReadResolution(r, out _)).WithMessage(_ => HostTexts.Local("comparison.resolution"));
        RuleFor(r => r.Note).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .MaximumLength(500).WithMessage(_ => HostTexts.Local("field.tooLong", 500));
        RuleFor(r => r.ChildId).NotEmpty().When(r => r.Resolution == "file-created").WithMessage(_ => HostTexts.Local("comparison.childIdRequired"));
    }
}

internal sealed class ResolveComparisonItemHandler(TongxinDbContext db, ICallerAccessor callers, RegionDirectory regions, FieldCipher cipher, TimeProvider clock)
    : IRequestHandler<ResolveComparisonItem, ComparisonItemResolved>
{
    private const int Attempts = 4;

    public async Task<ComparisonItemResolved> Handle(ResolveComparisonItem request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        ComparisonNames.TryReadResolution(request.Resolution, out var resolution);
        for (var attempt = 1; ; attempt++)
        {
            var comparison = await ComparisonAccess.FindAsync(db, caller, request.ComparisonId, cancellationToken, tracked: true);
            var item = await db.RosterComparisonItems.SingleOrDefaultAsync(i => i.Id == request.ItemId && i.ComparisonId == comparison.Id, cancellationToken);
            if (item is null || !caller.CanSee(item.RegionPath))
            {
                throw new NotFoundException(HostTexts.Local("notFound.comparisonItem"));
            }
            if (item.Resolution is not null)
            {
                throw new ConflictException(HostTexts.Local("comparison.alreadyResolved"), "resolution");
            }
            await CheckAsync(resolution, item, request.ChildId, caller, cancellationToken);

            var now = clock.GetUtcNow().UtcDateTime;
            item.Resolution = resolution;
            item.ResolutionNote = cipher.Seal(request.Note!.Trim());
            item.ResolvedChildId = resolution == ComparisonResolution.FileCreated ? request.ChildId : null;
            item.ResolvedByUserId = caller.UserId;
            item.ResolvedAt = now;
            // Every resolution of a comparison moves its version: two people resolving its last two items at once are
            // serialised, and the last one marks it done.
            comparison.OpenItems = Math.Max(0, comparison.OpenItems - 1);
            comparison.Version++;
            comparison.CompletedAt = comparison.OpenItems == 0 ? now : null;
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (Exception e) when (StaleWrites.IsStale(e) && attempt < Attempts)
            {
                db.ChangeTracker.Clear();
                continue;
            }
            catch (Exception e) when (StaleWrites.IsStale(e))
            {
                throw new ConflictException(HostTexts.Local("comparison.changedMeanwhile"));
            }
            var places = (await regions.UnderAsync(comparison.RegionPath, cancellationToken)).ToDictionary(r => r.Code, StringComparer.Ordinal);
            var view = (await ComparisonItemViews.BuildAsync(db, cipher, caller, places, [item], cancellationToken)).Single();
            return new ComparisonItemResolved(view, comparison.CompletedAt is not null, comparison.CompletedAt);
        }
    }

    /// <summary>
    /// A file is created only for a child the roster had and the files had not, and the file named must be open and the
    /// caller's to see (the director's village); 422 naming the field otherwise.
    /// </summary>
    private async Task CheckAsync(ComparisonResolution resolution, RosterComparisonItem item, string? childId, Caller caller, CancellationToken cancellationToken)
    {
        if (resolution != ComparisonResolution.FileCreated)
        {
            return;
        }
        if (item.Kind != ComparisonItemKind.MissingFile)
        {
            throw new RuleViolationException(HostTexts.Local("comparison.fileCreatedOnlyForMissing"), "resolution");
        }
        var file = await db.Children.AsNoTracking().Where(c => c.Id == childId).Select(c => new { c.RegionPath, c.ClosedAt }).SingleOrDefaultAsync(cancellationToken);
        if (file is null || !caller.CanSee(file.RegionPath) || file.ClosedAt is not null)
        {
            throw new RuleViolationException(HostTexts.Local("comparison.childUnknown"), "childId");
        }
    }
}
