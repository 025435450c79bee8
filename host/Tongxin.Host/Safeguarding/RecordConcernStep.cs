using FluentValidation;
using MediatR;
using Microsoft.Extensions.Options;
using Tongxin.Host.Errors;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;
using Tongxin.Host.Requests;
using Tongxin.Host.Security;
using Tongxin.Host.Text;

namespace Tongxin.Host.Safeguarding;

/// <summary><c>POST /api/concerns/{id}/steps</c>: the next step of the chain, with who and when (a police report needs its reference).</summary>
[AllowedRoles(Role.ChildDirector, Role.Supervisor, Role.CivilAffairs)]
public sealed record RecordConcernStep(ConcernStage? Stage, DateTime? At, string? Reference, string? Notes) : IRequest<ConcernView>, IAuditedRequest
{
    [System.Text.Json.Serialization.JsonIgnore]
    public string ConcernId { get; init; } = "";

    string IAuditedRequest.AuditAction => "concern.step.record";
    string IAuditedRequest.AuditSubjectType => "concern";
    string? IAuditedRequest.AuditSubjectId => ConcernId;
}

internal sealed class RecordConcernStepValidator : AbstractValidator<RecordConcernStep>
{
    public RecordConcernStepValidator(TimeProvider clock)
    {
        RuleFor(r => r.Stage).Cascade(CascadeMode.Stop).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .Must(s => s != ConcernStage.Discovered).WithMessage(_ => HostTexts.Local("concern.stage.discovered"));
        RuleFor(r => r.At).Cascade(CascadeMode.Stop).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .Must(at => at!.Value.ToUniversalTime() <= clock.GetUtcNow().UtcDateTime.AddMinutes(5)).WithMessage(_ => HostTexts.Local("field.future"));
        RuleFor(r => r.Reference).NotEmpty().When(r => r.Stage == ConcernStage.ReportedToPolice).WithMessage(_ => HostTexts.Local("concern.reference.required"))
            .MaximumLength(100).WithMessage(_ => HostTexts.Local("field.tooLong", 100));
        RuleFor(r => r.Notes).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .MaximumLength(4000).WithMessage(_ => HostTexts.Local("field.tooLong", 4000));
    }
}

internal sealed class RecordConcernStepHandler(TongxinDbContext db, ICallerAccessor callers, FieldCipher cipher, TimeProvider clock, IOptions<SafeguardingOptions> options)
    : IRequestHandler<RecordConcernStep, ConcernView>
{
    public async Task<ConcernView> Handle(RecordConcernStep request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var concern = await ConcernAccess.LoadForCallerAsync(db, request.ConcernId, caller, track: true, cancellationToken);
        var stage = request.Stage!.Value;
        // The chain is walked in order: each step is the next one.
        if (stage != concern.Stage + 1)
        {
            throw new ConflictException(HostTexts.Local("concern.stage.order", Kebab(concern.Stage + 1 <= ConcernStage.Assisted ? concern.Stage + 1 : concern.Stage)), "stage");
        }
        var at = request.At!.Value.ToUniversalTime();
        if (at < concern.RaisedAt.AddMinutes(-5))
        {
            throw RequestValidationException.ForField("at", HostTexts.Local("concern.at.beforeRaised"));
        }
        concern.Stage = stage;
        if (stage == ConcernStage.ReportedToPolice)
        {
            concern.ReportedToPoliceAt = at;
            concern.PoliceReference = request.Reference!.Trim();
        }
        concern.Version++;
        db.ConcernSteps.Add(new ConcernStep
        {
            Id = Ids.New(), ConcernId = concern.Id, Step = Kebab(stage), At = at, ByUserId = caller.UserId,
            Reference = request.Reference?.Trim(), Notes = cipher.Seal(request.Notes!.Trim()), RecordedAt = clock.GetUtcNow().UtcDateTime,
        });
        if (concern.RaisedByUserId != caller.UserId)
        {
            // The one who raised it follows its chain from their status view (issue 17): the step's name, nothing of its notes.
            Notifications.Outbox.Add(db, [concern.RaisedByUserId], Notifications.NotificationEvents.ConcernStep, $"/concerns/{concern.Id}",
                new Notifications.NotificationArgs(Step: Kebab(stage)), clock.GetUtcNow().UtcDateTime);
        }
        await db.SaveChangesAsync(cancellationToken);
        return await ConcernViews.ViewAsync(db, concern, caller, cipher, options.Value.PoliceReportDeadline, cancellationToken);
    }

    private static string Kebab(ConcernStage stage) => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(stage.ToString());
}
