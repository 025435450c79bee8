using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Orleans;
using Tongxin.Host.Errors;
using Tongxin.Host.Grains;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;
using Tongxin.Host.Regions;
using Tongxin.Host.Requests;
using Tongxin.Host.Text;

namespace Tongxin.Host.PurchasedServices;

/// <summary>
/// <c>POST /api/contracts/{id}/deliveries</c> with an <c>Idempotency-Key</c> header: the contracted organisation
/// reports one delivery. The same key and body again is the same answer and no second row; the same key
/// with another body is refused (422).
/// </summary>
[AllowedRoles(Role.SocialWorkOrg)]
public sealed record ReportDelivery(string? ChildId, DateTime? At, int? Units, UnitKind? Kind, string? Notes) : IRequest<DeliveryReported>, IAuditedRequest
{
    [System.Text.Json.Serialization.JsonIgnore]
    public string ContractId { get; init; } = "";

    [System.Text.Json.Serialization.JsonIgnore]
    public string? IdempotencyKey { get; init; }

    string IAuditedRequest.AuditAction => "contract.delivery.report";
    string IAuditedRequest.AuditSubjectType => "contract";
    string? IAuditedRequest.AuditSubjectId => ContractId;
}

public sealed record DeliveryReported(string Id, bool Replayed);

/// <summary><c>POST /api/contracts/{id}/deliveries:bulk</c> (text/csv): every row checked; all written or none.</summary>
/// <remarks>The body is read only after the role and the contract are checked, so nobody else makes the host parse a file.</remarks>
[AllowedRoles(Role.SocialWorkOrg)]
public sealed record ImportDeliveries(string ContractId, Stream Csv) : IRequest<DeliveriesImported>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "contract.deliveries.import";
    string IAuditedRequest.AuditSubjectType => "contract";
    string? IAuditedRequest.AuditSubjectId => ContractId;
}

public sealed record DeliveriesImported(int Imported);

/// <summary><c>POST /api/deliveries/{id}/correct</c>: replaces a delivery with a reason; the original stays, marked corrected.</summary>
[AllowedRoles(Role.SocialWorkOrg)]
public sealed record CorrectDelivery(string? ChildId, DateTime? At, int? Units, UnitKind? Kind, string? Notes, string? Reason) : IRequest<DeliveryReported>, IAuditedRequest
{
    [System.Text.Json.Serialization.JsonIgnore]
    public string DeliveryId { get; init; } = "";

    string IAuditedRequest.AuditAction => "delivery.correct";
    string IAuditedRequest.AuditSubjectType => "delivery";
    string? IAuditedRequest.AuditSubjectId => DeliveryId;
}

/// <summary><c>POST /api/deliveries/{id}/withdraw</c>: takes a delivery back with a reason; the row stays, marked withdrawn.</summary>
[AllowedRoles(Role.SocialWorkOrg)]
public sealed record WithdrawDelivery(string? Reason) : IRequest<DeliveryView>, IAuditedRequest
{
    [System.Text.Json.Serialization.JsonIgnore]
    public string DeliveryId { get; init; } = "";

    string IAuditedRequest.AuditAction => "delivery.withdraw";
    string IAuditedRequest.AuditSubjectType => "delivery";
    string? IAuditedRequest.AuditSubjectId => DeliveryId;
}

/// <summary><c>GET /api/contracts/{id}/deliveries</c>: the deliveries the caller may see (a supervisor: their town's).</summary>
[AllowedRoles(Role.CivilAffairs, Role.Supervisor, Role.SocialWorkOrg)]
public sealed record ListDeliveries(string ContractId) : IRequest<IReadOnlyList<DeliveryView>>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "contract.deliveries.list";
    string IAuditedRequest.AuditSubjectType => "contract";
    string? IAuditedRequest.AuditSubjectId => ContractId;
}

public sealed record DeliveryView(
    string Id, string ContractId, string ChildId, string VillageCode, DateTime At, int Units, UnitKind Kind,
    DeliveryStatus Status, string? CorrectsId, string? StatusReason, DateTime ReportedAt);

internal sealed class ReportDeliveryValidator : AbstractValidator<ReportDelivery>
{
    public ReportDeliveryValidator()
    {
        RuleFor(r => r.IdempotencyKey).NotEmpty().WithMessage(_ => HostTexts.Local("delivery.idempotency.required"))
            .MaximumLength(100).WithMessage(_ => HostTexts.Local("field.tooLong", 100))
            .OverridePropertyName("Idempotency-Key");
        DeliveryFieldRules.Add(this, r => r.ChildId, r => r.At, r => r.Units, r => r.Kind, r => r.Notes);
    }
}

internal sealed class CorrectDeliveryValidator : AbstractValidator<CorrectDelivery>
{
    public CorrectDeliveryValidator()
    {
        DeliveryFieldRules.Add(this, r => r.ChildId, r => r.At, r => r.Units, r => r.Kind, r => r.Notes);
        RuleFor(r => r.Reason).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .MaximumLength(500).WithMessage(_ => HostTexts.Local("field.tooLong", 500));
    }
}

internal sealed class WithdrawDeliveryValidator : AbstractValidator<WithdrawDelivery>
{
    public WithdrawDeliveryValidator()
    {
        RuleFor(r => r.Reason).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .MaximumLength(500).WithMessage(_ => HostTexts.Local("field.tooLong", 500));
    }
}

internal static class DeliveryFieldRules
{
    public static void Add<T>(AbstractValidator<T> validator,
        System.Linq.Expressions.Expression<Func<T, string?>> childId,
        System.Linq.Expressions.Expression<Func<T, DateTime?>> at,
        System.Linq.Expressions.Expression<Func<T, int?>> units,
        System.Linq.Expressions.Expression<Func<T, UnitKind?>> kind,
        System.Linq.Expressions.Expression<Func<T, string?>> notes)
    {
        validator.RuleFor(childId).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"));
        validator.RuleFor(at).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"));
        validator.RuleFor(units).Cascade(CascadeMode.Stop).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .GreaterThanOrEqualTo(1).WithMessage(_ => HostTexts.Local("field.min", 1));
        validator.RuleFor(kind).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"));
        validator.RuleFor(notes).MaximumLength(2000).WithMessage(_ => HostTexts.Local("field.tooLong", 2000));
    }

    public static DeliveryInput ToInput(string? childId, DateTime? at, int? units, UnitKind? kind, string? notes) =>
        new(childId!, at!.Value.ToUniversalTime(), units!.Value, kind!.Value, notes?.Trim() ?? "");
}

internal sealed class ReportDeliveryHandler(TongxinDbContext db, IGrainFactory grains, ICallerAccessor callers) : IRequestHandler<ReportDelivery, DeliveryReported>
{
    public async Task<DeliveryReported> Handle(ReportDelivery request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var (contract, _) = await db.LoadForCallerAsync(request.ContractId, caller, cancellationToken);
        if (!ContractAccess.CanReport(caller, contract))
        {
            throw new AccessDeniedException(HostTexts.Local("delivery.notYourContract"));
        }
        var input = DeliveryFieldRules.ToInput(request.ChildId, request.At, request.Units, request.Kind, request.Notes);
        var recorded = await grains.GetGrain<IContractGrain>(contract.Id).ReportAsync(input, request.IdempotencyKey!, caller.UserId);
        return new DeliveryReported(recorded.Id, recorded.Replayed);
    }
}

internal sealed class ImportDeliveriesHandler(TongxinDbContext db, IGrainFactory grains, ICallerAccessor callers) : IRequestHandler<ImportDeliveries, DeliveriesImported>
{
    public async Task<DeliveriesImported> Handle(ImportDeliveries request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var (contract, _) = await db.LoadForCallerAsync(request.ContractId, caller, cancellationToken);
        if (!ContractAccess.CanReport(caller, contract))
        {
            throw new AccessDeniedException(HostTexts.Local("delivery.notYourContract"));
        }
        var (rows, unreadable) = await CsvRows.ReadAsync(request.Csv, cancellationToken);
        return new DeliveriesImported(await grains.GetGrain<IContractGrain>(contract.Id).ImportAsync(rows, unreadable, caller.UserId));
    }
}

internal sealed class CorrectDeliveryHandler(TongxinDbContext db, IGrainFactory grains, ICallerAccessor callers) : IRequestHandler<CorrectDelivery, DeliveryReported>
{
    public async Task<DeliveryReported> Handle(CorrectDelivery request, CancellationToken cancellationToken)
    {
        var (contract, caller) = await DeliveryOwner.RequireAsync(db, callers, request.DeliveryId, cancellationToken);
        var input = DeliveryFieldRules.ToInput(request.ChildId, request.At, request.Units, request.Kind, request.Notes);
        var recorded = await grains.GetGrain<IContractGrain>(contract.Id).CorrectAsync(request.DeliveryId, input, request.Reason!.Trim(), caller.UserId);
        return new DeliveryReported(recorded.Id, false);
    }
}

internal sealed class WithdrawDeliveryHandler(TongxinDbContext db, IGrainFactory grains, ICallerAccessor callers) : IRequestHandler<WithdrawDelivery, DeliveryView>
{
    public async Task<DeliveryView> Handle(WithdrawDelivery request, CancellationToken cancellationToken)
    {
        var (contract, caller) = await DeliveryOwner.RequireAsync(db, callers, request.DeliveryId, cancellationToken);
        await grains.GetGrain<IContractGrain>(contract.Id).WithdrawAsync(request.DeliveryId, request.Reason!.Trim(), caller.UserId);
        var delivery = await db.Deliveries.AsNoTracking().SingleAsync(d => d.Id == request.DeliveryId, cancellationToken);
        return DeliveryOwner.View(delivery);
    }
}

internal sealed class ListDeliveriesHandler(TongxinDbContext db, ICallerAccessor callers) : IRequestHandler<ListDeliveries, IReadOnlyList<DeliveryView>>
{
    public async Task<IReadOnlyList<DeliveryView>> Handle(ListDeliveries request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var (contract, _) = await db.LoadForCallerAsync(request.ContractId, caller, cancellationToken);
        var scope = ContractAccess.RowScope(caller);
        var deliveries = await db.Deliveries.AsNoTracking()
            .Where(d => d.ContractId == contract.Id && d.RegionPath.StartsWith(scope))
            .OrderBy(d => d.At).ThenBy(d => d.Id)
            .ToListAsync(cancellationToken);
        return deliveries.Select(DeliveryOwner.View).ToList();
    }
}

internal static class DeliveryOwner
{
    public static async Task<(PurchasedServiceContract Contract, Caller Caller)> RequireAsync(
        TongxinDbContext db, ICallerAccessor callers, string deliveryId, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var contractId = await db.Deliveries.AsNoTracking().Where(d => d.Id == deliveryId).Select(d => d.ContractId).SingleOrDefaultAsync(cancellationToken)
            ?? throw new NotFoundException(HostTexts.Local("notFound.delivery"));
        var (contract, _) = await db.LoadForCallerAsync(contractId, caller, cancellationToken);
        if (!ContractAccess.CanReport(caller, contract))
        {
            throw new AccessDeniedException(HostTexts.Local("delivery.notYourContract"));
        }
        return (contract, caller);
    }

    public static DeliveryView View(ServiceDelivery d) => new(
        d.Id, d.ContractId, d.ChildId, RegionPaths.Village(d.RegionPath), d.At, d.Units, d.Kind, d.Status, d.CorrectsId, d.StatusReason, d.ReportedAt);
}
