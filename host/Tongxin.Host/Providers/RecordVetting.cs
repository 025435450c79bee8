using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Tongxin.Host.Errors;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;
using Tongxin.Host.Regions;
using Tongxin.Host.Requests;
using Tongxin.Host.Text;
using Tongxin.Modules.Contracts;

namespace Tongxin.Host.Providers;

/// <summary>
/// <c>PUT /api/volunteers/{id}/vetting</c>: the pre-employment and occupational-ban check (入职查询 / 从业禁止).
/// Only a passed, unexpired check lets a volunteer be offered a child; recorded by the owning
/// organisation or civil affairs.
/// </summary>
[AllowedRoles(Role.CivilAffairs, Role.ProgrammeOwner, Role.SocialWorkOrg)]
public sealed record RecordVetting(VettingStatus? Status, DateTime? CheckedAt, DateTime? ExpiresAt, string? Reference) : IRequest<VettingView>, IAuditedRequest
{
    [System.Text.Json.Serialization.JsonIgnore]
    public string VolunteerId { get; init; } = "";

    string IAuditedRequest.AuditAction => "volunteer.vetting.record";
    string IAuditedRequest.AuditSubjectType => "volunteer";
    string? IAuditedRequest.AuditSubjectId => VolunteerId;
}

internal sealed class RecordVettingValidator : AbstractValidator<RecordVetting>
{
    public RecordVettingValidator(TimeProvider clock)
    {
        RuleFor(r => r.Status).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .Must(s => s != VettingStatus.None).WithMessage(_ => HostTexts.Local("json.wrongValue"));
        RuleFor(r => r.CheckedAt).Cascade(CascadeMode.Stop).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .Must(at => at!.Value.ToUniversalTime() <= clock.GetUtcNow().UtcDateTime.AddMinutes(5)).WithMessage(_ => HostTexts.Local("field.future"));
        RuleFor(r => r.ExpiresAt).Cascade(CascadeMode.Stop).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .Must((r, at) => r.CheckedAt is null || at > r.CheckedAt).WithMessage(_ => HostTexts.Local("vetting.expiresAt.beforeChecked"));
        RuleFor(r => r.Reference).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .MaximumLength(100).WithMessage(_ => HostTexts.Local("field.tooLong", 100));
    }
}

internal sealed class RecordVettingHandler(TongxinDbContext db, ICallerAccessor callers, TimeProvider clock, IMediator mediator)
    : IRequestHandler<RecordVetting, VettingView>
{
    public async Task<VettingView> Handle(RecordVetting request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var volunteer = await db.Providers.SingleOrDefaultAsync(p => p.Id == request.VolunteerId && p.Kind == ProviderKind.Volunteer, cancellationToken);
        if (volunteer is null || !caller.CanSee(volunteer.RegionPath))
        {
            throw new NotFoundException(HostTexts.Local("notFound.volunteer"));
        }
        if (caller.Role != Role.CivilAffairs && (caller.OrganisationId is null || caller.OrganisationId != volunteer.OrganisationId))
        {
            throw new AccessDeniedException(HostTexts.Local("vetting.notYourVolunteer"));
        }
        volunteer.VettingStatus = request.Status!.Value;
        volunteer.VettingCheckedAt = request.CheckedAt!.Value.ToUniversalTime();
        volunteer.VettingExpiresAt = request.ExpiresAt!.Value.ToUniversalTime();
        volunteer.VettingReference = request.Reference!.Trim();
        volunteer.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        volunteer.Version++;
        await db.SaveChangesAsync(cancellationToken);

        var valid = ProviderJson.VettingValid(volunteer, clock.GetUtcNow().UtcDateTime);
        if (valid)
        {
            await mediator.Publish(new ProviderAvailable(volunteer.Id, ProviderJson.Strings(volunteer.LinesJson), RegionPaths.County(volunteer.RegionPath)), cancellationToken);
        }
        return new VettingView(volunteer.VettingStatus, volunteer.VettingCheckedAt, volunteer.VettingExpiresAt, volunteer.VettingReference, valid);
    }
}
