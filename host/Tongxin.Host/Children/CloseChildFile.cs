using FluentValidation;
using MediatR;
using Orleans;
using Tongxin.Host.Identity;
using Tongxin.Host.Requests;
using Tongxin.Host.Safeguarding;
using Tongxin.Host.Text;

namespace Tongxin.Host.Children;

/// <summary>
/// <c>POST /api/children/{id}/close</c> <c>{ reason }</c>: the child no longer needs the file's care (turned 16, the
/// parents came home, moved out of the county). The file is kept and stays readable; it leaves the contact
/// rhythm and the ledger's current children. Refused (409) while the child has open needs or active pairings:
/// those are ended first, so nobody is left waiting on a closed file.
/// </summary>
[AllowedRoles(Role.ChildDirector, Role.Supervisor)]
public sealed record CloseChildFile(string? Reason) : IRequest<ChildFileClosed>, IAuditedRequest
{
    [System.Text.Json.Serialization.JsonIgnore]
    public string ChildId { get; init; } = "";

    string IAuditedRequest.AuditAction => "child.close";
    string IAuditedRequest.AuditSubjectType => "child";
    string? IAuditedRequest.AuditSubjectId => ChildId;
}

[GenerateSerializer]
public sealed record ChildFileClosed([property: Id(0)] string ChildId, [property: Id(1)] DateTime ClosedAt);

internal sealed class CloseChildFileValidator : AbstractValidator<CloseChildFile>
{
    public CloseChildFileValidator()
    {
        RuleFor(r => r.Reason).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .MaximumLength(500).WithMessage(_ => HostTexts.Local("field.tooLong", 500));
    }
}

internal sealed class CloseChildFileHandler(IGrainFactory grains, ICallerAccessor callers) : IRequestHandler<CloseChildFile, ChildFileClosed>
{
    public async Task<ChildFileClosed> Handle(CloseChildFile request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var child = await grains.ForCallerAsync(request.ChildId, caller);
        return await child.CloseFileAsync(request.Reason!.Trim(), caller.UserId);
    }
}

/// <summary>
/// <c>POST /api/children/{id}/move</c> <c>{ villageCode, reason }</c>: the family moved to another village. A director sees
/// one village only, so the town supervisor (within the town) or civil affairs (within the county) moves the file;
/// the move is kept for the ledger. Refused (409) while the child has open needs: they were asked for where the
/// child lived, so they are withdrawn or placed first.
/// </summary>
[AllowedRoles(Role.Supervisor, Role.CivilAffairs)]
public sealed record MoveChildFile(string? VillageCode, string? Reason) : IRequest<ChildFileSaved>, IAuditedRequest
{
    [System.Text.Json.Serialization.JsonIgnore]
    public string ChildId { get; init; } = "";

    string IAuditedRequest.AuditAction => "child.move";
    string IAuditedRequest.AuditSubjectType => "child";
    string? IAuditedRequest.AuditSubjectId => ChildId;
}

internal sealed class MoveChildFileValidator : AbstractValidator<MoveChildFile>
{
    public MoveChildFileValidator()
    {
        RuleFor(r => r.VillageCode).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"));
        RuleFor(r => r.Reason).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .MaximumLength(500).WithMessage(_ => HostTexts.Local("field.tooLong", 500));
    }
}

internal sealed class MoveChildFileHandler(IGrainFactory grains, Regions.RegionDirectory regions, ICallerAccessor callers) : IRequestHandler<MoveChildFile, ChildFileSaved>
{
    public async Task<ChildFileSaved> Handle(MoveChildFile request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var village = await regions.LoadVillageForCallerAsync(request.VillageCode!, caller, cancellationToken);
        var child = await grains.ForCallerAsync(request.ChildId, caller);
        return await child.MoveAsync(village.Code, village.Path, request.Reason!.Trim(), caller.UserId);
    }
}
