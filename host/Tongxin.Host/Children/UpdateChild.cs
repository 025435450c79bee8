using FluentValidation;
using MediatR;
using Orleans;
using Tongxin.Host.Errors;
using Tongxin.Host.Grains;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;
using Tongxin.Host.Regions;
using Tongxin.Host.Requests;
using Tongxin.Host.Text;

namespace Tongxin.Host.Children;

/// <summary>
/// <c>PUT /api/children/{id}</c>: the director rewrites the file, sending the <c>version</c> they read.
/// If someone saved in between, the answer is 409 and nothing is overwritten.
/// </summary>
[AllowedRoles(Role.ChildDirector)]
[GenerateSerializer]
public sealed record UpdateChild(
    [property: Id(0)] string? GivenName,
    [property: Id(1)] string? FamilyName,
    [property: Id(2)] Gender? Gender,
    [property: Id(3)] DateOnly? BirthDate,
    [property: Id(4)] string? VillageCode,
    [property: Id(5)] ChildCategory? Category,
    [property: Id(6)] string? GuardianSituation,
    [property: Id(7)] RiskLevel? RiskLevel,
    [property: Id(8)] GuardianConsentInput? GuardianConsent,
    [property: Id(9)] int? Version,
    [property: Id(10)] IReadOnlyList<string>? PriorityGroups = null,
    [property: Id(11)] string? RiskReason = null) : IRequest<ChildFileSaved>, IChildFileFields, IAuditedRequest
{
    /// <summary>From the route, not the body.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    [Id(12)]
    public string Id { get; init; } = "";

    string IAuditedRequest.AuditAction => "child.update";
    string IAuditedRequest.AuditSubjectType => "child";
    string? IAuditedRequest.AuditSubjectId => Id;
}

internal sealed class UpdateChildValidator : AbstractValidator<UpdateChild>
{
    public UpdateChildValidator(TimeProvider clock)
    {
        this.AddChildFileRules(clock);
        RuleFor(r => r.Version).NotNull().WithMessage(_ => HostTexts.Local("child.version.required"));
    }
}

internal sealed class UpdateChildHandler(RegionDirectory regions, IGrainFactory grains, ICallerAccessor callers) : IRequestHandler<UpdateChild, ChildFileSaved>
{
    public async Task<ChildFileSaved> Handle(UpdateChild request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var child = grains.GetGrain<IChildGrain>(request.Id);
        var snapshot = await child.GetSnapshotAsync();
        if (!caller.CanSee(snapshot.RegionPath))
        {
            throw NotFoundException.Child();
        }
        var village = await regions.LoadVillageForCallerAsync(request.VillageCode!, caller, cancellationToken);
        return await child.UpdateFileAsync(request, village.Path, caller.UserId);
    }
}
