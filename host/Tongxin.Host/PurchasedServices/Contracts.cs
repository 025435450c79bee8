using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Errors;
using Tongxin.Host.Identity;
using Tongxin.Host.Modules;
using Tongxin.Host.Persistence;
using Tongxin.Host.Providers;
using Tongxin.Host.Regions;
using Tongxin.Host.Requests;
using Tongxin.Host.Text;

namespace Tongxin.Host.PurchasedServices;

/// <summary><c>POST /api/contracts</c> (civil affairs): buy units of a service from a social-work organisation.</summary>
[AllowedRoles(Role.CivilAffairs)]
public sealed record CreateContract(
    string? OrganisationId,
    string? Line,
    string? Title,
    IReadOnlyList<string>? RegionCodes,
    int? Units,
    UnitKind? UnitKind,
    decimal? UnitPrice,
    DateOnly? StartsOn,
    DateOnly? EndsOn,
    [property: System.ComponentModel.Description("budget | welfare-lottery | not-stated; optional (API.md's body has no such field), not-stated when absent.")]
    [property: System.ComponentModel.DefaultValue(FundingSource.NotStated)]
    FundingSource? FundingSource = null) : IRequest<ContractView>, IAuditedRequest
{
    public const int MaxUnits = 1_000_000;
    public const decimal MaxUnitPrice = 100_000m;

    string IAuditedRequest.AuditAction => "contract.create";
    // Learned from the answer (the new contract's id).
    string IAuditedRequest.AuditSubjectType => "contract";
    string? IAuditedRequest.AuditSubjectId => null;
}

public sealed record ContractView(
    string Id,
    string OrganisationId,
    string OrganisationName,
    string Line,
    string Title,
    IReadOnlyList<string> RegionCodes,
    int Units,
    UnitKind UnitKind,
    decimal UnitPrice,
    DateOnly StartsOn,
    DateOnly EndsOn,
    FundingSource FundingSource,
    int DeliveredUnits,
    int RemainingUnits,
    int Version) : IAuditSubject
{
    string IAuditSubject.AuditSubjectId => Id;
}

[AllowedRoles(Role.CivilAffairs, Role.Supervisor, Role.SocialWorkOrg)]
public sealed record GetContract(string Id) : IRequest<ContractView>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "contract.read";
    string IAuditedRequest.AuditSubjectType => "contract";
    string? IAuditedRequest.AuditSubjectId => Id;
}

[AllowedRoles(Role.CivilAffairs, Role.Supervisor, Role.SocialWorkOrg)]
public sealed record ListContracts : IRequest<IReadOnlyList<ContractView>>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "contract.list";
    // The caller's county or town, or its organisation's contracts.
    string IAuditedRequest.AuditSubjectType => "region";
    string? IAuditedRequest.AuditSubjectId => null;
}

internal sealed class CreateContractValidator : AbstractValidator<CreateContract>
{
    public CreateContractValidator(ModuleCatalog modules)
    {
        RuleFor(r => r.OrganisationId).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"));
        RuleFor(r => r.Line).Cascade(CascadeMode.Stop).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .Must(line => ServiceKinds.All(modules).Contains(line!)).WithMessage(_ => HostTexts.Local("contract.line.unknown", string.Join(", ", ServiceKinds.All(modules))));
        RuleFor(r => r.Title).MaximumLength(200).WithMessage(_ => HostTexts.Local("field.tooLong", 200));
        RuleFor(r => r.RegionCodes).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"));
        RuleFor(r => r.Units).Cascade(CascadeMode.Stop).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .InclusiveBetween(1, CreateContract.MaxUnits).WithMessage(_ => HostTexts.Local("field.range", 1, CreateContract.MaxUnits));
        RuleFor(r => r.UnitKind).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"));
        RuleFor(r => r.UnitPrice).Cascade(CascadeMode.Stop).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .GreaterThan(0m).WithMessage(_ => HostTexts.Local("contract.price.positive"))
            .LessThanOrEqualTo(CreateContract.MaxUnitPrice).WithMessage(_ => HostTexts.Local("field.range", "0.01", CreateContract.MaxUnitPrice))
            .Must(p => Money.HasAtMostTwoDecimals(p!.Value)).WithMessage(_ => HostTexts.Local("contract.price.fen"));
        RuleFor(r => r.StartsOn).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"));
        RuleFor(r => r.EndsOn).Cascade(CascadeMode.Stop).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .Must((r, end) => r.StartsOn is null || end > r.StartsOn).WithMessage(_ => HostTexts.Local("contract.endsOn.afterStart"));
    }
}

internal sealed class CreateContractHandler(TongxinDbContext db, RegionDirectory directory, ICallerAccessor callers, TimeProvider clock) : IRequestHandler<CreateContract, ContractView>
{
    public async Task<ContractView> Handle(CreateContract request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var organisation = await db.Organisations.AsNoTracking().SingleOrDefaultAsync(o => o.Id == request.OrganisationId, cancellationToken)
            ?? throw RequestValidationException.ForField("organisationId", HostTexts.Local("organisation.unknown"));
        if (organisation.Kind != OrganisationKind.SocialWorkOrg)
        {
            throw RequestValidationException.ForField("organisationId", HostTexts.Local("contract.organisation.kind"));
        }
        var regions = await directory.LoadCoveredRegionsAsync(request.RegionCodes!, caller, cancellationToken);
        var contract = new PurchasedServiceContract
        {
            Id = Ids.New(),
            OrganisationId = organisation.Id,
            Line = request.Line!,
            Title = string.IsNullOrWhiteSpace(request.Title) ? request.Line! : request.Title.Trim(),
            CoveredPathsJson = ProviderJson.Write(regions.Select(r => r.Path).OrderBy(p => p, StringComparer.Ordinal).ToList()),
            RegionPath = $"/{RegionPaths.County(regions[0].Path)}/",
            Units = request.Units!.Value,
            UnitKind = request.UnitKind!.Value,
            UnitPriceFen = Money.ToFen(request.UnitPrice!.Value),
            StartsOn = request.StartsOn!.Value,
            EndsOn = request.EndsOn!.Value,
            // Added after API.md was published, so optional: a client written against API.md does not send it.
            FundingSource = request.FundingSource ?? FundingSource.NotStated,
            CreatedByUserId = caller.UserId,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
            Version = 1,
        };
        db.Contracts.Add(contract);
        await db.SaveChangesAsync(cancellationToken);
        return ContractViews.View(contract, organisation.Name);
    }
}

/// <summary>Who sees a contract: civil affairs and supervisors of its county, and the contracted organisation.</summary>
internal static class ContractAccess
{
    public static async Task<(PurchasedServiceContract Contract, string OrganisationName)> LoadForCallerAsync(
        this TongxinDbContext db, string contractId, Caller caller, CancellationToken cancellationToken)
    {
        var row = await (from contract in db.Contracts.AsNoTracking()
                         join organisation in db.Organisations.AsNoTracking() on contract.OrganisationId equals organisation.Id
                         where contract.Id == contractId
                         select new { contract, organisation.Name }).SingleOrDefaultAsync(cancellationToken);
        if (row is null || !CanSee(caller, row.contract))
        {
            throw new NotFoundException(HostTexts.Local("notFound.contract"));
        }
        return (row.contract, row.Name);
    }

    public static bool CanSee(Caller caller, PurchasedServiceContract contract) => caller.Role switch
    {
        Role.SocialWorkOrg => caller.OrganisationId == contract.OrganisationId,
        // A supervisor sees the contracts that cover part of their town (and only their town's rows in exports).
        Role.Supervisor => ProviderJson.Strings(contract.CoveredPathsJson).Any(p => p.StartsWith(caller.RegionPath, StringComparison.Ordinal) || caller.RegionPath.StartsWith(p, StringComparison.Ordinal)),
        _ => caller.CanSee(contract.RegionPath),
    };

    public static bool CanReport(Caller caller, PurchasedServiceContract contract) =>
        caller.Role == Role.SocialWorkOrg && caller.OrganisationId == contract.OrganisationId;

    /// <summary>The part of a contract's deliveries a caller may see: a supervisor, their town's only.</summary>
    public static string RowScope(Caller caller) => caller.Role == Role.Supervisor ? caller.RegionPath : "/";
}

internal static class ContractViews
{
    public static ContractView View(PurchasedServiceContract c, string organisationName) => new(
        c.Id, c.OrganisationId, organisationName, c.Line, c.Title,
        ProviderJson.Strings(c.CoveredPathsJson).Select(p => RegionPaths.Codes(p).Last()).ToList(),
        c.Units, c.UnitKind, Money.ToYuan(c.UnitPriceFen), c.StartsOn, c.EndsOn, c.FundingSource, c.DeliveredUnits, c.Units - c.DeliveredUnits, c.Version);
}

internal sealed class GetContractHandler(TongxinDbContext db, ICallerAccessor callers) : IRequestHandler<GetContract, ContractView>
{
    public async Task<ContractView> Handle(GetContract request, CancellationToken cancellationToken)
    {
        var (contract, organisationName) = await db.LoadForCallerAsync(request.Id, callers.Current!, cancellationToken);
        return ContractViews.View(contract, organisationName);
    }
}

internal sealed class ListContractsHandler(TongxinDbContext db, ICallerAccessor callers) : IRequestHandler<ListContracts, IReadOnlyList<ContractView>>
{
    public async Task<IReadOnlyList<ContractView>> Handle(ListContracts request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var county = $"/{RegionPaths.County(caller.RegionPath)}/";
        var rows = await (from contract in db.Contracts.AsNoTracking()
                          join organisation in db.Organisations.AsNoTracking() on contract.OrganisationId equals organisation.Id
                          where caller.RegionPath == "/" || contract.RegionPath.StartsWith(county) || contract.OrganisationId == caller.OrganisationId
                          orderby contract.StartsOn descending, contract.Id
                          select new { contract, organisation.Name }).ToListAsync(cancellationToken);
        return rows.Where(r => ContractAccess.CanSee(caller, r.contract)).Select(r => ContractViews.View(r.contract, r.Name)).ToList();
    }
}
