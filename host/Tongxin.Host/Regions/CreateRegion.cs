using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Errors;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;
using Tongxin.Host.Requests;
using Tongxin.Host.Text;

namespace Tongxin.Host.Regions;

/// <summary><c>POST /api/regions</c>: a county, a town under a county, or a village under a town.</summary>
[AllowedRoles(Role.Admin, Role.CivilAffairs)]
[NotAudited("A region's code and name: no personal data, and no access by itself (accounts give access, and are audited).")]
public sealed record CreateRegion(string? Code, string? Name, RegionKind? Kind, string? ParentCode) : IRequest<RegionView>;

public sealed record RegionView(string Code, string Name, RegionKind Kind, string? ParentCode);

internal sealed class CreateRegionValidator : AbstractValidator<CreateRegion>
{
    public CreateRegionValidator()
    {
        RuleFor(r => r.Code).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .Matches("^[0-9A-Za-z-]{1,32}$").WithMessage(_ => HostTexts.Local("region.code.format"));
        RuleFor(r => r.Name).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .MaximumLength(100).WithMessage(_ => HostTexts.Local("field.tooLong", 100));
        RuleFor(r => r.Kind).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"));
        RuleFor(r => r.ParentCode).NotEmpty().When(r => r.Kind is RegionKind.Town or RegionKind.Village)
            .WithMessage(_ => HostTexts.Local("region.parent.required"));
        RuleFor(r => r.ParentCode).Empty().When(r => r.Kind is RegionKind.County)
            .WithMessage(_ => HostTexts.Local("region.parent.county"));
    }
}

internal sealed class CreateRegionHandler(TongxinDbContext db, RegionDirectory directory, ICallerAccessor callers, TimeProvider clock) : IRequestHandler<CreateRegion, RegionView>
{
    public async Task<RegionView> Handle(CreateRegion request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        string path;
        if (request.Kind == RegionKind.County)
        {
            // A county is a new root: only the administrator sets those up.
            if (caller.Role != Role.Admin)
            {
                throw new AccessDeniedException(HostTexts.Local("forbidden.region"));
            }
            path = $"/{request.Code}/";
        }
        else
        {
            var parent = await db.Regions.AsNoTracking().SingleOrDefaultAsync(r => r.Code == request.ParentCode, cancellationToken)
                ?? throw RequestValidationException.ForField("parentCode", HostTexts.Local("region.parent.unknown"));
            var expectedParent = request.Kind == RegionKind.Town ? RegionKind.County : RegionKind.Town;
            if (parent.Kind != expectedParent)
            {
                throw RequestValidationException.ForField("parentCode", HostTexts.Local("region.parent.wrongKind", parent.Kind.ToString().ToLowerInvariant()));
            }
            caller.EnsureCanSee(parent.Path);
            path = $"{parent.Path}{request.Code}/";
        }
        if (await db.Regions.AnyAsync(r => r.Code == request.Code, cancellationToken))
        {
            throw new ConflictException(HostTexts.Local("region.code.taken"), "code");
        }
        var region = new Region
        {
            Code = request.Code!,
            Name = request.Name!.Trim(),
            Kind = request.Kind!.Value,
            ParentCode = request.Kind == RegionKind.County ? null : request.ParentCode,
            Path = path,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.Regions.Add(region);
        await db.SaveChangesAsync(cancellationToken);
        // Acknowledged only after the shared cache has a new generation: the next request on any host then
        // reads the regions afresh (LookupCache says what happens when the cache cannot take it).
        await directory.ChangedAsync();
        return new RegionView(region.Code, region.Name, region.Kind, region.ParentCode);
    }
}
