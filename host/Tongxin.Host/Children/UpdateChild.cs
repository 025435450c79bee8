using FluentValidation;
using MediatR;
using Tongxin.Host.Identity;
using Tongxin.Host.Persistence;
using Tongxin.Host.Requests;
using Tongxin.Host.Text;

namespace Tongxin.Host.Children;

/// <summary>
/// <c>PUT /api/children/{id}</c>: the director rewrites the file, sending the <c>version</c> they read.
/// If someone saved in between, the answer is 409 and nothing is overwritten.
/// </summary>
[AllowedRoles(Role.ChildDirector)]
public sealed record UpdateChild(
    string? GivenName,
    string? FamilyName,
    Gender? Gender,
    DateOnly? BirthDate,
    string? VillageCode,
    ChildCategory? Category,
    string? GuardianSituation,
    RiskLevel? RiskLevel,
    GuardianConsentInput? GuardianConsent,
    int? Version) : IRequest<ChildFileSaved>, IChildFileFields, IAuditedRequest
{
    /// <summary>From the route, not the body.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
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

internal sealed class UpdateChildHandler(TongxinDbContext db, ICallerAccessor callers, TimeProvider clock) : IRequestHandler<UpdateChild, ChildFileSaved>
{
    public async Task<ChildFileSaved> Handle(UpdateChild request, CancellationToken cancellationToken)
    {
        var caller = callers.Current!;
        var file = await db.LoadForCallerAsync(request.Id, caller, track: true, cancellationToken);
        var village = await db.LoadVillageForCallerAsync(request.VillageCode!, caller, cancellationToken);
        // The version the client read is the one the database must still hold; EF adds it to the
        // UPDATE's WHERE clause, so a write that lost the race fails as DbUpdateConcurrencyException (409).
        db.Entry(file).Property(f => f.Version).OriginalValue = request.Version!.Value;
        request.ApplyTo(file, village.Path);
        file.Version = request.Version.Value + 1;
        file.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        return new ChildFileSaved(file.Id, file.Version);
    }
}
