using FluentValidation;
using MediatR;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;
using Tongxin.Host.Regions;
using Tongxin.Host.Requests;

namespace Tongxin.Host.Children;

/// <summary><c>POST /api/children</c>: the village's child director opens a child's file.</summary>
[AllowedRoles(Role.ChildDirector)]
public sealed record CreateChild(
    string? GivenName,
    string? FamilyName,
    Gender? Gender,
    DateOnly? BirthDate,
    string? VillageCode,
    ChildCategory? Category,
    string? GuardianSituation,
    RiskLevel? RiskLevel,
    GuardianConsentInput? GuardianConsent,
    IReadOnlyList<string>? PriorityGroups = null) : IRequest<ChildFileSaved>, IChildFileFields, IAuditedRequest
{
    string IAuditedRequest.AuditAction => "child.create";
    string IAuditedRequest.AuditSubjectType => "child";
    string? IAuditedRequest.AuditSubjectId => null;
}

internal sealed class CreateChildValidator : AbstractValidator<CreateChild>
{
    public CreateChildValidator(TimeProvider clock) => this.AddChildFileRules(clock);
}

internal sealed class CreateChildHandler(TongxinDbContext db, RegionDirectory regions, ICallerAccessor callers, TimeProvider clock) : IRequestHandler<CreateChild, ChildFileSaved>
{
    public async Task<ChildFileSaved> Handle(CreateChild request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var village = await regions.LoadVillageForCallerAsync(request.VillageCode!, caller, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var file = new ChildFile
        {
            Id = Ids.New(),
            GivenName = "",
            FamilyName = "",
            Gender = default,
            BirthDate = default,
            VillageCode = "",
            RegionPath = "",
            Category = default,
            GuardianSituation = "",
            RiskLevel = default,
            CreatedByUserId = caller.UserId,
            CreatedAt = now,
            UpdatedAt = now,
            Version = 1,
        };
        request.ApplyTo(file, village.Path);
        db.Children.Add(file);
        await db.SaveChangesAsync(cancellationToken);
        return new ChildFileSaved(file.Id, file.Version);
    }
}
