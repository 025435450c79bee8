using System.Text.Json;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Errors;
using Tongxin.Host.Identity;
using Tongxin.Host.Modules;
using Tongxin.Host.Persistence;
using Tongxin.Host.Regions;
using Tongxin.Host.Requests;
using Tongxin.Host.Text;
using Tongxin.Modules.Contracts;

namespace Tongxin.Host.Providers;

/// <summary>
/// <c>POST /api/programmes</c>: the women's federation or youth league posts a programme (4:30 classroom,
/// Colourful Holidays...) for one line, covering regions of one county; its seats are its capacity.
/// </summary>
[AllowedRoles(Role.ProgrammeOwner)]
[NotAudited("An organisation's public offer (title, regions, seats, dates): no personal data; it reaches a child only through an offer, which is audited.")]
public sealed record CreateProgramme(
    string? Line,
    string? Title,
    IReadOnlyList<string>? RegionCodes,
    int? Seats,
    DateOnly? StartsOn,
    DateOnly? EndsOn,
    int? AgeMin,
    int? AgeMax,
    string? FundingSource,
    JsonElement? Details = null) : IRequest<ProviderCreated>
{
    public const int MaxSeats = 10_000;
}

[AllowedRoles(Role.Admin, Role.CivilAffairs, Role.Supervisor, Role.ChildDirector, Role.ProgrammeOwner, Role.SocialWorkOrg, Role.Volunteer)]
[NotAudited("The programme catalogue every role may list: titles, regions and seat counts, nothing that names a child.")]
public sealed record ListProgrammes(string? Line, string? RegionCode, bool OpenOnly) : IRequest<IReadOnlyList<ProgrammeView>>;

internal sealed class CreateProgrammeValidator : AbstractValidator<CreateProgramme>
{
    public CreateProgrammeValidator(TimeProvider clock, ModuleCatalog modules)
    {
        RuleFor(r => r.Line).Cascade(CascadeMode.Stop).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .Must(line => modules.Find(line) is not null).WithMessage(_ => modules.UnknownLineMessage());
        RuleFor(r => r).Custom((request, context) =>
        {
            // Details came after API.md's programme body: a client written against it sends none, and that is allowed;
            // details that are sent must be the line's.
            if (request.Details is { } details && modules.Find(request.Line) is { } module)
            {
                context.AddModuleErrors(module.ValidateProviderOffer(details), "details");
            }
        });
        RuleFor(r => r.Title).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .MaximumLength(200).WithMessage(_ => HostTexts.Local("field.tooLong", 200));
        RuleFor(r => r.RegionCodes).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"));
        RuleFor(r => r.Seats).Cascade(CascadeMode.Stop).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .InclusiveBetween(1, CreateProgramme.MaxSeats).WithMessage(_ => HostTexts.Local("field.range", 1, CreateProgramme.MaxSeats));
        RuleFor(r => r.StartsOn).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"));
        RuleFor(r => r.EndsOn).Cascade(CascadeMode.Stop).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .Must((r, end) => r.StartsOn is null || end >= r.StartsOn).WithMessage(_ => HostTexts.Local("programme.endsOn.beforeStart"))
            .Must(end => end >= clock.Today()).WithMessage(_ => HostTexts.Local("programme.endsOn.past"));
        RuleFor(r => r.AgeMin).InclusiveBetween(0, 17).When(r => r.AgeMin is not null).WithMessage(_ => HostTexts.Local("field.range", 0, 17));
        RuleFor(r => r.AgeMax).InclusiveBetween(0, 17).When(r => r.AgeMax is not null).WithMessage(_ => HostTexts.Local("field.range", 0, 17))
            .Must((r, max) => r.AgeMin is null || max >= r.AgeMin).When(r => r.AgeMax is not null).WithMessage(_ => HostTexts.Local("programme.ageMax.belowMin"));
        RuleFor(r => r.FundingSource).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .MaximumLength(100).WithMessage(_ => HostTexts.Local("field.tooLong", 100));
    }
}

internal sealed class CreateProgrammeHandler(TongxinDbContext db, RegionDirectory directory, ICallerAccessor callers, ModuleCatalog modules, TimeProvider clock, IMediator mediator)
    : IRequestHandler<CreateProgramme, ProviderCreated>
{
    public async Task<ProviderCreated> Handle(CreateProgramme request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var module = modules.RequireLine(request.Line, "line");
        var details = request.Details.OrEmptyObject();

        var regions = await directory.LoadCoveredRegionsAsync(request.RegionCodes!, caller, cancellationToken);

        var now = clock.GetUtcNow().UtcDateTime;
        var home = regions.OrderBy(r => r.Path.Length).First();
        var provider = new Provider
        {
            Id = Ids.New(),
            Kind = ProviderKind.Programme,
            DisplayName = request.Title!.Trim(),
            RegionCode = home.Code,
            RegionPath = home.Path,
            CoveredPathsJson = ProviderJson.Write(regions.Select(r => r.Path).OrderBy(p => p, StringComparer.Ordinal).ToList()),
            LinesJson = ProviderJson.Write(new[] { module.Info.Key }),
            OfferJson = ProviderJson.Write(new Dictionary<string, JsonElement> { [module.Info.Key] = details }),
            AvailabilityJson = "[]",
            Capacity = request.Seats!.Value,
            OrganisationId = caller.OrganisationId,
            StartsOn = request.StartsOn,
            EndsOn = request.EndsOn,
            AgeMin = request.AgeMin,
            AgeMax = request.AgeMax,
            FundingSource = request.FundingSource!.Trim(),
            VettingStatus = VettingStatus.None,
            CreatedByUserId = caller.UserId,
            CreatedAt = now,
            UpdatedAt = now,
            Version = 1,
        };
        db.Providers.Add(provider);
        await db.SaveChangesAsync(cancellationToken);
        await mediator.Publish(new ProviderAvailable(provider.Id, [module.Info.Key], RegionPaths.County(home.Path)), cancellationToken);
        return new ProviderCreated(provider.Id);
    }
}

internal sealed class ListProgrammesHandler(TongxinDbContext db, RegionDirectory regions, ICallerAccessor callers, TimeProvider clock)
    : IRequestHandler<ListProgrammes, IReadOnlyList<ProgrammeView>>
{
    public async Task<IReadOnlyList<ProgrammeView>> Handle(ListProgrammes request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var scope = await regions.ResolveScopeAsync(request.RegionCode, caller, cancellationToken);
        // A programme concerns the caller when it covers part of their region or their region lies inside it.
        var county = $"/{RegionPaths.County(scope)}/";
        var candidates = await db.Providers.AsNoTracking()
            .Where(p => p.Kind == ProviderKind.Programme && (scope == "/" || p.RegionPath.StartsWith(county) || scope.StartsWith(p.RegionPath)))
            .OrderBy(p => p.StartsOn).ThenBy(p => p.Id)
            .ToListAsync(cancellationToken);
        var today = clock.Today();
        var listed = candidates
            .Where(p => scope == "/" || ProviderJson.Strings(p.CoveredPathsJson).Any(c => c.StartsWith(scope, StringComparison.Ordinal) || scope.StartsWith(c, StringComparison.Ordinal)))
            .Where(p => request.Line is null || ProviderJson.Strings(p.LinesJson).Contains(request.Line))
            .Where(p => !request.OpenOnly || ProviderJson.IsOpen(p, today))
            .ToList();

        // The waiting list: open needs of the programme's line inside the regions it covers.
        var lines = listed.SelectMany(p => ProviderJson.Strings(p.LinesJson)).Distinct().ToList();
        var counties = listed.Select(p => RegionPaths.County(p.RegionPath)).Distinct().ToList();
        var open = await db.Needs.AsNoTracking()
            .Where(n => n.Status == NeedStatus.Open && lines.Contains(n.Line) && counties.Contains(n.CountyCode))
            .Select(n => new { n.Line, n.RegionPath })
            .ToListAsync(cancellationToken);
        return listed.Select(p =>
        {
            var covered = ProviderJson.Strings(p.CoveredPathsJson);
            var line = ProviderJson.Strings(p.LinesJson).Single();
            var waiting = open.Count(n => n.Line == line && RegionPaths.Covers(covered, n.RegionPath));
            return ProviderJson.Programme(p, today, waiting);
        }).ToList();
    }
}
