using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Orleans;
using Tongxin.Host.Children;
using Tongxin.Host.Errors;
using Tongxin.Host.Grains;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;
using Tongxin.Host.Requests;
using Tongxin.Host.Text;

namespace Tongxin.Host.Safeguarding;

/// <summary><c>PUT /api/children/{id}/risk</c> <c>{ riskLevel, reason }</c>: the risk level changes only with a reason.</summary>
[AllowedRoles(Role.ChildDirector, Role.Supervisor, Role.CivilAffairs)]
public sealed record ChangeRisk(RiskLevel? RiskLevel, string? Reason) : IRequest<RiskChanged>, IAuditedRequest
{
    [System.Text.Json.Serialization.JsonIgnore]
    public string ChildId { get; init; } = "";

    string IAuditedRequest.AuditAction => "child.risk.change";
    string IAuditedRequest.AuditSubjectType => "child";
    string? IAuditedRequest.AuditSubjectId => ChildId;
}

public sealed record RiskChanged(string ChildId, RiskLevel RiskLevel);

/// <summary><c>GET /api/children/{id}/risk-history</c>: every change, with who, when and why.</summary>
[AllowedRoles(Role.ChildDirector, Role.Supervisor, Role.CivilAffairs)]
public sealed record GetRiskHistory(string ChildId) : IRequest<IReadOnlyList<RiskChangeView>>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "child.risk.history";
    string IAuditedRequest.AuditSubjectType => "child";
    string? IAuditedRequest.AuditSubjectId => ChildId;
}

public sealed record RiskChangeView(RiskLevel From, RiskLevel To, string Reason, string? ConcernId, string ByUserId, DateTime At);

/// <summary><c>PUT /api/children/{id}/consent</c>: guardian consent (who, relation, when, what for). Suspended pairings resume.</summary>
[AllowedRoles(Role.ChildDirector)]
public sealed record RecordConsent(string? By, string? Relation, DateTime? RecordedAt, IReadOnlyList<string>? Purposes) : IRequest<ConsentRecorded>, IAuditedRequest
{
    [System.Text.Json.Serialization.JsonIgnore]
    public string ChildId { get; init; } = "";

    string IAuditedRequest.AuditAction => "child.consent.record";
    string IAuditedRequest.AuditSubjectType => "child";
    string? IAuditedRequest.AuditSubjectId => ChildId;
}

/// <summary>
/// <c>POST /api/children/{id}/consent/withdraw</c> <c>{ reason, purposes? }</c>: the consent, or only the purposes named,
/// is withdrawn. Without matching, pairings are suspended at once; without services, no delivery is accepted; without
/// data-sharing, nothing of the child beyond a pairing's needs reaches another organisation (GuardianConsent).
/// </summary>
[AllowedRoles(Role.ChildDirector)]
public sealed record WithdrawConsent(string? Reason, IReadOnlyList<string>? Purposes = null) : IRequest<ConsentWithdrawn>, IAuditedRequest
{
    [System.Text.Json.Serialization.JsonIgnore]
    public string ChildId { get; init; } = "";

    string IAuditedRequest.AuditAction => "child.consent.withdraw";
    string IAuditedRequest.AuditSubjectType => "child";
    string? IAuditedRequest.AuditSubjectId => ChildId;
}

public sealed record ConsentWithdrawn(string ChildId, int PairingsSuspended);

public sealed record ConsentRecorded(string ChildId);

internal sealed class ChangeRiskValidator : AbstractValidator<ChangeRisk>
{
    public ChangeRiskValidator()
    {
        RuleFor(r => r.RiskLevel).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"));
        RuleFor(r => r.Reason).NotEmpty().WithMessage(_ => HostTexts.Local("risk.reason.required"))
            .MaximumLength(500).WithMessage(_ => HostTexts.Local("field.tooLong", 500));
    }
}

internal sealed class RecordConsentValidator : AbstractValidator<RecordConsent>
{
    public RecordConsentValidator(TimeProvider clock)
    {
        RuleFor(r => r.By).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic")).MaximumLength(50).WithMessage(_ => HostTexts.Local("field.tooLong", 50));
        RuleFor(r => r.Relation).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic")).MaximumLength(50).WithMessage(_ => HostTexts.Local("field.tooLong", 50));
        RuleFor(r => r.RecordedAt).Cascade(CascadeMode.Stop).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .Must(at => at <= clock.GetUtcNow().UtcDateTime.AddMinutes(5)).WithMessage(_ => HostTexts.Local("field.future"));
        RuleForEach(r => r.Purposes).Must(p => ConsentPurposes.All.Contains(p))
            .WithMessage(_ => HostTexts.Local("consent.purpose.unknown", string.Join(", ", ConsentPurposes.All))).OverridePropertyName("purposes");
    }
}

internal sealed class WithdrawConsentValidator : AbstractValidator<WithdrawConsent>
{
    public WithdrawConsentValidator()
    {
        RuleFor(r => r.Reason).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic")).MaximumLength(500).WithMessage(_ => HostTexts.Local("field.tooLong", 500));
        RuleForEach(r => r.Purposes).Must(p => ConsentPurposes.All.Contains(p))
            .WithMessage(_ => HostTexts.Local("consent.purpose.unknown", string.Join(", ", ConsentPurposes.All))).OverridePropertyName("purposes");
    }
}

/// <summary>The child's grain, once the caller is known to see the child (404 otherwise).</summary>
internal static class ChildGrains
{
    public static async Task<IChildGrain> ForCallerAsync(this IGrainFactory grains, string childId, Caller caller)
    {
        var child = grains.GetGrain<IChildGrain>(childId);
        if (!caller.CanSee((await child.GetSnapshotAsync()).RegionPath))
        {
            throw NotFoundException.Child();
        }
        return child;
    }
}

internal sealed class ChangeRiskHandler(IGrainFactory grains, ICallerAccessor callers) : IRequestHandler<ChangeRisk, RiskChanged>
{
    public async Task<RiskChanged> Handle(ChangeRisk request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var child = await grains.ForCallerAsync(request.ChildId, caller);
        return new RiskChanged(request.ChildId, await child.ChangeRiskAsync(request.RiskLevel!.Value, request.Reason!.Trim(), caller.UserId, null));
    }
}

internal sealed class GetRiskHistoryHandler(TongxinDbContext db, ICallerAccessor callers) : IRequestHandler<GetRiskHistory, IReadOnlyList<RiskChangeView>>
{
    public async Task<IReadOnlyList<RiskChangeView>> Handle(GetRiskHistory request, CancellationToken cancellationToken)
    {
        var child = await db.LoadForCallerAsync(request.ChildId, callers.Current!, track: false, cancellationToken);
        return await db.RiskChanges.AsNoTracking().Where(r => r.ChildId == child.Id).OrderBy(r => r.At).ThenBy(r => r.Id)
            .Select(r => new RiskChangeView(r.From, r.To, r.Reason, r.ConcernId, r.ByUserId, r.At)).ToListAsync(cancellationToken);
    }
}

internal sealed class RecordConsentHandler(IGrainFactory grains, ICallerAccessor callers) : IRequestHandler<RecordConsent, ConsentRecorded>
{
    public async Task<ConsentRecorded> Handle(RecordConsent request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var child = await grains.ForCallerAsync(request.ChildId, caller);
        await child.RecordConsentAsync(new GuardianConsentInput(request.By, request.Relation, request.RecordedAt, request.Purposes), caller.UserId);
        return new ConsentRecorded(request.ChildId);
    }
}

internal sealed class WithdrawConsentHandler(IGrainFactory grains, ICallerAccessor callers) : IRequestHandler<WithdrawConsent, ConsentWithdrawn>
{
    public async Task<ConsentWithdrawn> Handle(WithdrawConsent request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var child = await grains.ForCallerAsync(request.ChildId, caller);
        return new ConsentWithdrawn(request.ChildId, await child.WithdrawConsentAsync(request.Reason!.Trim(), request.Purposes, caller.UserId));
    }
}

internal sealed class RiskAndConsentEndpoints : IEndpointGroup
{
    public void Map(IEndpointRouteBuilder app)
    {
        var children = app.MapGroup("/api/children").WithTags("Safeguarding").RequireAuthorization();
        children.MapPut("/{id}/risk", async (string id, ChangeRisk request, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(request with { ChildId = id }, ct)))
            .WithSummary("Change the risk level, with a reason").ProducesProblem(400).ProducesProblem(404);
        children.MapGet("/{id}/risk-history", async (string id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetRiskHistory(id), ct)))
            .WithSummary("Every change of the risk level, with who, when and why").ProducesProblem(404);
        children.MapPut("/{id}/consent", async (string id, RecordConsent request, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(request with { ChildId = id }, ct);
                return TypedResults.NoContent();
            })
            .WithSummary("Record guardian consent (who, relation, when, what for)").ProducesProblem(400).ProducesProblem(404);
        children.MapPost("/{id}/consent/withdraw", async (string id, WithdrawConsent request, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(request with { ChildId = id }, ct)))
            .WithSummary("Withdraw guardian consent: pairings are suspended at once").ProducesProblem(400).ProducesProblem(404);
    }
}
