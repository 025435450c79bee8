using System.Text.Json;
using FluentValidation;
using MediatR;
using Orleans;
using Tongxin.Host.Errors;
using Tongxin.Host.Grains;
using Tongxin.Host.Identity;
using Tongxin.Host.Modules;
using Tongxin.Host.Persistence;
using Tongxin.Host.Requests;
using Tongxin.Host.Text;
using Tongxin.Modules.Contracts;

namespace Tongxin.Host.Needs;

/// <summary>
/// <c>POST /api/children/{id}/needs</c>: the child director asks for specific help on one line, with the
/// line's own details (checked by its module). Refused with 422 while the file has no guardian consent.
/// </summary>
[AllowedRoles(Role.ChildDirector)]
public sealed record CreateNeed(string? Line, JsonElement? Details, Urgency? Urgency) : IRequest<NeedCreated>, IAuditedRequest
{
    [System.Text.Json.Serialization.JsonIgnore]
    public string ChildId { get; init; } = "";

    string IAuditedRequest.AuditAction => "child.need.create";
    string IAuditedRequest.AuditSubjectType => "child";
    string? IAuditedRequest.AuditSubjectId => ChildId;
}

internal sealed class CreateNeedValidator : AbstractValidator<CreateNeed>
{
    public CreateNeedValidator(ModuleCatalog modules)
    {
        RuleFor(r => r.Line).Cascade(CascadeMode.Stop).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .Must(line => modules.Find(line) is not null).WithMessage(_ => modules.UnknownLineMessage());
        RuleFor(r => r.Urgency).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"));
        RuleFor(r => r.Details).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"));
        // The line's own rules on its details (tutoring: subject and grade 1–12; counselling: a reason category...).
        RuleFor(r => r).Custom((request, context) =>
        {
            if (modules.Find(request.Line) is { } module && request.Details is { } details)
            {
                context.AddModuleErrors(module.ValidateNeedDetails(details), "details");
            }
        });
    }
}

internal sealed class CreateNeedHandler(IGrainFactory grains, ICallerAccessor callers, ModuleCatalog modules, IMediator mediator)
    : IRequestHandler<CreateNeed, NeedCreated>
{
    public async Task<NeedCreated> Handle(CreateNeed request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var module = modules.RequireLine(request.Line, "line");

        var child = grains.GetGrain<IChildGrain>(request.ChildId);
        var snapshot = await child.GetSnapshotAsync();
        if (!caller.CanSee(snapshot.RegionPath))
        {
            throw NotFoundException.Child();
        }
        var created = await child.RequestNeedAsync(
            new NeedRequest(module.Info.Key, request.Details!.Value.GetRawText(), request.Urgency!.Value), caller.UserId);
        await mediator.Publish(new NeedRequested(created.Id, request.ChildId, created.Line, created.CountyCode), cancellationToken);
        return created;
    }
}

/// <summary><c>POST /api/needs/{id}/cancel</c>: the director withdraws a need that is not yet matched.</summary>
[AllowedRoles(Role.ChildDirector)]
public sealed record CancelNeed(string? Reason) : IRequest<NeedView>, IAuditedRequest
{
    [System.Text.Json.Serialization.JsonIgnore]
    public string NeedId { get; init; } = "";

    string IAuditedRequest.AuditAction => "need.cancel";
    string IAuditedRequest.AuditSubjectType => "need";
    string? IAuditedRequest.AuditSubjectId => NeedId;
}

internal sealed class CancelNeedValidator : AbstractValidator<CancelNeed>
{
    public CancelNeedValidator()
    {
        RuleFor(r => r.Reason).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .MaximumLength(500).WithMessage(_ => HostTexts.Local("field.tooLong", 500));
    }
}

internal sealed class CancelNeedHandler(IGrainFactory grains, NeedReader reader, ICallerAccessor callers) : IRequestHandler<CancelNeed, NeedView>
{
    public async Task<NeedView> Handle(CancelNeed request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var need = await reader.ReadAsync(request.NeedId, caller, cancellationToken);
        await grains.GetGrain<IChildGrain>(need.ChildId).CancelNeedAsync(need.Id, request.Reason!.Trim(), caller.UserId);
        return await reader.ReadAsync(request.NeedId, caller, cancellationToken);
    }
}
