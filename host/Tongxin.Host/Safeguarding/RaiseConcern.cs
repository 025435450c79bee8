using FluentValidation;
using MediatR;
using Orleans;
using Tongxin.Host.Errors;
using Tongxin.Host.Grains;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;
using Tongxin.Host.Requests;
using Tongxin.Host.Security;
using Tongxin.Host.Text;

namespace Tongxin.Host.Safeguarding;

/// <summary>
/// <c>POST /api/concerns</c>: anyone in contact with the child raises a concern (强制报告). It reaches the town
/// supervisor and civil affairs at once, raises the child's risk to high, and can never be deleted.
/// </summary>
[AllowedRoles(Role.ChildDirector, Role.Supervisor, Role.CivilAffairs, Role.Volunteer, Role.SocialWorkOrg, Role.ProgrammeOwner)]
public sealed record RaiseConcern(string? ChildId, ConcernKind? Kind, string? Details) : IRequest<ConcernRaised>, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "child.concern.raise";
    string IAuditedRequest.AuditSubjectType => "child";
    string? IAuditedRequest.AuditSubjectId => ChildId;
}

public sealed record ConcernRaised(string Id, ConcernStage Stage);

internal sealed class RaiseConcernValidator : AbstractValidator<RaiseConcern>
{
    public RaiseConcernValidator()
    {
        RuleFor(r => r.ChildId).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"));
        RuleFor(r => r.Kind).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"));
        RuleFor(r => r.Details).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .MaximumLength(4000).WithMessage(_ => HostTexts.Local("field.tooLong", 4000));
    }
}

internal sealed class RaiseConcernHandler(
    TongxinDbContext db, IGrainFactory grains, ICallerAccessor callers, FieldCipher cipher, TimeProvider clock, IConcernNotifier notifier)
    : IRequestHandler<RaiseConcern, ConcernRaised>
{
    public async Task<ConcernRaised> Handle(RaiseConcern request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var child = await ChildContact.FindForCallerAsync(db, request.ChildId!, caller, cancellationToken) ?? throw NotFoundException.Child();
        var now = clock.GetUtcNow().UtcDateTime;
        var concern = new Concern
        {
            Id = Ids.New(),
            ChildId = child.Id,
            RegionPath = child.RegionPath,
            Kind = request.Kind!.Value,
            Details = cipher.Seal(request.Details!.Trim()),
            Stage = ConcernStage.Discovered,
            RaisedByUserId = caller.UserId,
            RaisedByRole = caller.Role.Name(),
            RaisedAt = now,
            Version = 1,
        };
        db.Concerns.Add(concern);
        db.ConcernSteps.Add(new ConcernStep { Id = Ids.New(), ConcernId = concern.Id, Step = "discovered", At = now, ByUserId = caller.UserId, Notes = "", RecordedAt = now });
        // The town's supervisors and the county's civil affairs hear of it at once, committed with the concern itself.
        var recipients = await Notifications.NotificationRecipients.TownAsync(db, child.RegionPath, andCounty: true, cancellationToken);
        Notifications.Outbox.Add(db, recipients, Notifications.NotificationEvents.ConcernRaised, $"/concerns/{concern.Id}", new Notifications.NotificationArgs(), now);
        await db.SaveChangesAsync(cancellationToken);
        // A concern raises the risk at once; the history names the concern.
        await grains.GetGrain<IChildGrain>(child.Id).ChangeRiskAsync(RiskLevel.High, HostTexts.Get("risk.reason.concern").Zh, caller.UserId, concern.Id);
        await notifier.NotifyAsync(ConcernNotices.For(concern, escalated: false, recipients), cancellationToken);
        return new ConcernRaised(concern.Id, concern.Stage);
    }
}
