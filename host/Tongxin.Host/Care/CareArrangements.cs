using System.Text.Json;
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
using Tongxin.Host.Safeguarding;
using Tongxin.Host.Security;
using Tongxin.Host.Text;

namespace Tongxin.Host.Care;

public sealed record ParentInput(ParentPresence? Presence, string? WorkPlace, string? Phone);

public sealed record CarerInput(string? FamilyName, string? GivenName, string? Relation, int? Age, CarerAbility? Ability, string? AbilityNote);

public sealed record AgreementInput(DateOnly? SignedOn, string? SignedBy, DateOnly? Until);

/// <summary>
/// <c>PUT /api/children/{id}/care-arrangement</c>: the village's child director records who looks after the child (委托照护):
/// the parents, the entrusted carer, the agreement. Each change is kept (GET …/history); a failing arrangement raises the risk.
/// </summary>
[AllowedRoles(Role.ChildDirector)]
public sealed record SetCareArrangement(ParentInput? Father, ParentInput? Mother, CarerInput? Carer, AgreementInput? Agreement, int? Version)
    : IRequest<CareArrangementView>, IAuditedRequest
{
    [System.Text.Json.Serialization.JsonIgnore]
    public string ChildId { get; init; } = "";

    string IAuditedRequest.AuditAction => "child.care.set";
    string IAuditedRequest.AuditSubjectType => "child";
    string? IAuditedRequest.AuditSubjectId => ChildId;
}

/// <summary>
/// <c>POST /api/children/{id}/care-arrangement/checks</c>: the director's check at a home visit (agreement still in place,
/// carer still able). With <c>raiseConcern</c> and a carer who cannot care, the matching concern (guardian unable) is
/// raised in the same step.
/// </summary>
[AllowedRoles(Role.ChildDirector)]
public sealed record CheckCareArrangement(DateTime? At, bool? AgreementInPlace, CarerAbility? CarerAbility, string? Notes, bool? RaiseConcern)
    : IRequest<CareCheckRecorded>, IAuditedRequest
{
    [System.Text.Json.Serialization.JsonIgnore]
    public string ChildId { get; init; } = "";

    string IAuditedRequest.AuditAction => "child.care.check";
    string IAuditedRequest.AuditSubjectType => "child";
    string? IAuditedRequest.AuditSubjectId => ChildId;
}

[AllowedRoles(Role.ChildDirector, Role.Supervisor, Role.CivilAffairs)]
public sealed record GetCareArrangement(string ChildId) : IRequest<CareArrangementView>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "child.care.read";
    string IAuditedRequest.AuditSubjectType => "child";
    string? IAuditedRequest.AuditSubjectId => ChildId;
}

[AllowedRoles(Role.ChildDirector, Role.Supervisor, Role.CivilAffairs)]
public sealed record GetCareHistory(string ChildId) : IRequest<IReadOnlyList<CareChangeView>>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "child.care.history";
    string IAuditedRequest.AuditSubjectType => "child";
    string? IAuditedRequest.AuditSubjectId => ChildId;
}

public sealed record ParentView(ParentPresence Presence, string WorkPlace, string Phone);

public sealed record CarerView(string FamilyName, string GivenName, string Relation, int Age, CarerAbility? Ability, string AbilityNote);

public sealed record AgreementView(DateOnly SignedOn, string SignedBy, DateOnly? Until);

public sealed record LastCareCheck(DateTime At, bool? AgreementInPlace);

/// <summary>The arrangement as staff read it; <c>recorded</c> false (and nothing else filled) when none was recorded yet.</summary>
public sealed record CareArrangementView(
    string ChildId, bool Recorded, ParentView Father, ParentView Mother, CarerView? Carer, AgreementView? Agreement, LastCareCheck? LastCheck,
    IReadOnlyList<FailingCareReason> Failing, int Version, DateTime? UpdatedAt);

public sealed record CareCheckRecorded(CareArrangementView Arrangement, string? ConcernId);

/// <summary>A change (<c>set</c>: the arrangement as it then stood) or a check (<c>check</c>: what it found, and its notes).</summary>
public sealed record CareChangeView(CareChangeKind Kind, DateTime At, string ByUserId, JsonElement Snapshot);

/// <summary>What a check keeps in the history.</summary>
public sealed record CareCheckSnapshot(DateTime At, bool AgreementInPlace, CarerAbility CarerAbility, string Notes);

/// <summary>The relations an entrusted carer may have to the child (an adult the parents entrust; never the parents themselves).</summary>
public static class CarerRelations
{
    public static readonly IReadOnlyList<string> All = ["grandmother", "grandfather", "aunt", "uncle", "adult-sibling", "relative", "neighbour", "family-friend"];
}

internal sealed class SetCareArrangementValidator : AbstractValidator<SetCareArrangement>
{
    public SetCareArrangementValidator(TimeProvider clock)
    {
        RuleFor(r => r.Father).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"));
        RuleFor(r => r.Mother).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"));
        RuleFor(r => r.Father!).SetValidator(new ParentValidator()).When(r => r.Father is not null);
        RuleFor(r => r.Mother!).SetValidator(new ParentValidator()).When(r => r.Mother is not null);
        RuleFor(r => r.Carer!).SetValidator(new CarerValidator()).When(r => r.Carer is not null);
        RuleFor(r => r.Carer).NotNull().When(r => r.Agreement is not null).WithMessage(_ => HostTexts.Local("care.agreement.needsCarer"));
        When(r => r.Agreement is not null, () =>
        {
            RuleFor(r => r.Agreement!.SignedOn).Cascade(CascadeMode.Stop).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"))
                .Must(on => on <= clock.Today()).WithMessage(_ => HostTexts.Local("field.future"))
                .OverridePropertyName("agreement.signedOn");
            RuleFor(r => r.Agreement!.SignedBy).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"))
                .MaximumLength(100).WithMessage(_ => HostTexts.Local("field.tooLong", 100)).OverridePropertyName("agreement.signedBy");
            RuleFor(r => r.Agreement!.Until).Must((r, until) => until is null || r.Agreement!.SignedOn is null || until >= r.Agreement.SignedOn)
                .WithMessage(_ => HostTexts.Local("care.agreement.endsBeforeStart")).OverridePropertyName("agreement.until");
        });
    }

    private sealed class ParentValidator : AbstractValidator<ParentInput>
    {
        public ParentValidator()
        {
            RuleFor(p => p.Presence).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"));
            RuleFor(p => p.WorkPlace).MaximumLength(100).WithMessage(_ => HostTexts.Local("field.tooLong", 100));
            RuleFor(p => p.Phone).MaximumLength(30).WithMessage(_ => HostTexts.Local("field.tooLong", 30))
                .Matches(@"^[0-9+\- ]*$").WithMessage(_ => HostTexts.Local("care.phone.invalid"));
        }
    }

    private sealed class CarerValidator : AbstractValidator<CarerInput>
    {
        public CarerValidator()
        {
            RuleFor(c => c.FamilyName).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"))
                .MaximumLength(50).WithMessage(_ => HostTexts.Local("field.tooLong", 50));
            RuleFor(c => c.GivenName).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"))
                .MaximumLength(50).WithMessage(_ => HostTexts.Local("field.tooLong", 50));
            RuleFor(c => c.Relation).Cascade(CascadeMode.Stop).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"))
                .Must(r => CarerRelations.All.Contains(r)).WithMessage(_ => HostTexts.Local("care.relation.unknown", string.Join(", ", CarerRelations.All)));
            RuleFor(c => c.Age).Cascade(CascadeMode.Stop).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"))
                .GreaterThanOrEqualTo(18).WithMessage(_ => HostTexts.Local("care.carer.tooYoung"))
                .LessThanOrEqualTo(110).WithMessage(_ => HostTexts.Local("field.range", 18, 110));
            RuleFor(c => c.Ability).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"));
            RuleFor(c => c.AbilityNote).MaximumLength(500).WithMessage(_ => HostTexts.Local("field.tooLong", 500));
        }
    }
}

internal sealed class CheckCareArrangementValidator : AbstractValidator<CheckCareArrangement>
{
    public CheckCareArrangementValidator(TimeProvider clock)
    {
        RuleFor(r => r.At).Cascade(CascadeMode.Stop).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .Must(at => at!.Value.ToUniversalTime() <= clock.GetUtcNow().UtcDateTime.AddMinutes(5)).WithMessage(_ => HostTexts.Local("field.future"));
        RuleFor(r => r.AgreementInPlace).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"));
        RuleFor(r => r.CarerAbility).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"));
        RuleFor(r => r.Notes).MaximumLength(2000).WithMessage(_ => HostTexts.Local("field.tooLong", 2000));
        RuleFor(r => r.RaiseConcern).Must((r, raise) => raise != true || r.CarerAbility == CarerAbility.Cannot)
            .WithMessage(_ => HostTexts.Local("care.raiseConcern.onlyUnable"));
        RuleFor(r => r.Notes).NotEmpty().When(r => r.RaiseConcern == true).WithMessage(_ => HostTexts.Local("care.raiseConcern.notes"));
    }
}

/// <summary>Reads and seals arrangements: one place that knows the sealed part's shape.</summary>
internal sealed class CareArrangementStore(TongxinDbContext db, FieldCipher cipher, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public string Seal<T>(T value) => cipher.Seal(JsonSerializer.Serialize(value, Json));

    public CareDetails Details(CareArrangement care) => JsonSerializer.Deserialize<CareDetails>(cipher.Open(care.Details), Json)!;

    public async Task<CareArrangementView> ViewAsync(string childId, CancellationToken cancellationToken)
    {
        var care = await db.CareArrangements.AsNoTracking().SingleOrDefaultAsync(c => c.ChildId == childId, cancellationToken);
        return View(childId, care);
    }

    public CareArrangementView View(string childId, CareArrangement? care)
    {
        if (care is null)
        {
            var none = new ParentView(ParentPresence.Unknown, "", "");
            return new CareArrangementView(childId, false, none, none, null, null, null, [], 0, null);
        }
        var details = Details(care);
        return new CareArrangementView(
            childId, true,
            new ParentView(care.FatherPresence, details.Father.WorkPlace, details.Father.Phone),
            new ParentView(care.MotherPresence, details.Mother.WorkPlace, details.Mother.Phone),
            details.Carer is { } carer ? new CarerView(carer.FamilyName, carer.GivenName, carer.Relation, carer.Age, care.CarerAbility, carer.AbilityNote) : null,
            care.AgreementSignedOn is { } on ? new AgreementView(on, details.AgreementSignedBy ?? "", care.AgreementUntil) : null,
            care.LastCheckedAt is { } at ? new LastCareCheck(at, care.AgreementInPlace) : null,
            CareRules.Failing(care, clock.Today()), care.Version, care.UpdatedAt);
    }

    public async Task<IReadOnlyList<CareChangeView>> HistoryAsync(string childId, CancellationToken cancellationToken) =>
        (await db.CareArrangementChanges.AsNoTracking().Where(c => c.ChildId == childId).OrderBy(c => c.At).ThenBy(c => c.Id).ToListAsync(cancellationToken))
        .Select(c => new CareChangeView(c.Kind, c.At, c.ByUserId, JsonDocument.Parse(cipher.Open(c.Snapshot)).RootElement.Clone()))
        .ToList();

    /// <summary>The carer's given name for a pairing to arrange a session with (nothing else of the arrangement leaves the staff).</summary>
    public async Task<string?> CarerGivenNameAsync(string childId, CancellationToken cancellationToken)
    {
        var care = await db.CareArrangements.AsNoTracking().SingleOrDefaultAsync(c => c.ChildId == childId, cancellationToken);
        return care is null ? null : Details(care).Carer?.GivenName;
    }
}

internal sealed class SetCareArrangementHandler(IGrainFactory grains, ICallerAccessor callers, CareArrangementStore store)
    : IRequestHandler<SetCareArrangement, CareArrangementView>
{
    public async Task<CareArrangementView> Handle(SetCareArrangement request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var child = await grains.ForCallerAsync(request.ChildId, caller);
        var details = new CareDetails(
            Parent(request.Father!), Parent(request.Mother!),
            request.Carer is { } c ? new CarerDetails(c.FamilyName!.Trim(), c.GivenName!.Trim(), c.Relation!, c.Age!.Value, (c.AbilityNote ?? "").Trim()) : null,
            request.Agreement?.SignedBy?.Trim());
        var snapshot = new
        {
            father = request.Father, mother = request.Mother, carer = request.Carer, agreement = request.Agreement,
        };
        await child.SetCareArrangementAsync(new CareArrangementWrite(
            request.Father!.Presence!.Value, request.Mother!.Presence!.Value, request.Carer?.Ability, request.Agreement?.SignedOn, request.Agreement?.Until,
            store.Seal(details), store.Seal(snapshot), request.Version), caller.UserId);
        return await store.ViewAsync(request.ChildId, cancellationToken);
    }

    private static ParentDetails Parent(ParentInput parent) => new((parent.WorkPlace ?? "").Trim(), (parent.Phone ?? "").Trim());
}

internal sealed class CheckCareArrangementHandler(IGrainFactory grains, ICallerAccessor callers, CareArrangementStore store, IMediator mediator)
    : IRequestHandler<CheckCareArrangement, CareCheckRecorded>
{
    public async Task<CareCheckRecorded> Handle(CheckCareArrangement request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var child = await grains.ForCallerAsync(request.ChildId, caller);
        var notes = (request.Notes ?? "").Trim();
        await child.CheckCareAsync(new CareCheckWrite(
            request.At!.Value, request.AgreementInPlace!.Value, request.CarerAbility!.Value,
            store.Seal(new CareCheckSnapshot(request.At.Value.ToUniversalTime(), request.AgreementInPlace.Value, request.CarerAbility.Value, notes))), caller.UserId);
        // The concern after the check: a failed concern is answered as such, and the check it came from is kept.
        string? concernId = null;
        if (request.RaiseConcern == true)
        {
            concernId = (await mediator.Send(new RaiseConcern(request.ChildId, ConcernKind.GuardianUnable, notes), cancellationToken)).Id;
        }
        return new CareCheckRecorded(await store.ViewAsync(request.ChildId, cancellationToken), concernId);
    }
}

internal sealed class GetCareArrangementHandler(TongxinDbContext db, ICallerAccessor callers, CareArrangementStore store)
    : IRequestHandler<GetCareArrangement, CareArrangementView>
{
    public async Task<CareArrangementView> Handle(GetCareArrangement request, CancellationToken cancellationToken)
    {
        var file = await db.LoadForCallerAsync(request.ChildId, callers.Current!, track: false, cancellationToken);
        return await store.ViewAsync(file.Id, cancellationToken);
    }
}

internal sealed class GetCareHistoryHandler(TongxinDbContext db, ICallerAccessor callers, CareArrangementStore store)
    : IRequestHandler<GetCareHistory, IReadOnlyList<CareChangeView>>
{
    public async Task<IReadOnlyList<CareChangeView>> Handle(GetCareHistory request, CancellationToken cancellationToken)
    {
        var file = await db.LoadForCallerAsync(request.ChildId, callers.Current!, track: false, cancellationToken);
        return await store.HistoryAsync(file.Id, cancellationToken);
    }
}
