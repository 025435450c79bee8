using System.Text.Json;
using Microsoft.AspNetCore.Routing;

namespace Tongxin.Modules.Contracts;

/// <summary>
/// A service line (tutoring, counselling, ...) as the host sees it. The host finds every
/// non-abstract implementation by scanning assemblies, so a new line is one new project and no
/// edit to the host. Each carries <see cref="ServiceLineAttribute"/> with its key, and is built once by dependency
/// injection (its constructor may take the host's services and its own, registered by its
/// <see cref="IServiceLineStartup"/>).
/// </summary>
public interface IServiceLineModule
{
    ModuleInfo Info { get; }

    /// <summary>The fields a child director fills in when requesting this kind of help.</summary>
    IReadOnlyList<FieldSpec> NeedDetailsSchema { get; }

    /// <summary>The fields a provider (volunteer or programme) gives for this line, e.g. subjects and grades.</summary>
    IReadOnlyList<FieldSpec> ProviderOfferSchema { get; }

    /// <summary>Field errors for a need's details; empty when valid. Field names are relative to the details object.</summary>
    IReadOnlyList<FieldError> ValidateNeedDetails(JsonElement details);

    /// <summary>Field errors for a provider's offer for this line; empty when valid.</summary>
    IReadOnlyList<FieldError> ValidateProviderOffer(JsonElement offer);

    /// <summary>The line's hard rules: may this provider be offered this need at all?</summary>
    Eligibility CheckEligibility(MatchCandidate candidate);

    /// <summary>The line's own named score parts for an eligible pair (the host adds priority, waiting and distance).</summary>
    IEnumerable<ScorePart> Score(MatchCandidate candidate);

    /// <summary>
    /// When an unplaced need of this line becomes overdue and escalates to the town supervisor (UTC). Lines
    /// that do not say wait <see cref="ServiceLineModule.DefaultWait"/>; the county may override the days
    /// per line in configuration (<c>Escalation:WaitDays:&lt;line&gt;</c>).
    /// </summary>
    DateTime WaitUntil(WaitContext context) => context.Need.RequestedAtUtc + ServiceLineModule.DefaultWait;

    /// <summary>
    /// How many children a volunteer of this line takes on at once when their registration does not say. A volunteer
    /// of several lines gets the smallest of their lines'. Lines that do not say: <see cref="ServiceLineModule.DefaultVolunteerCapacity"/>.
    /// </summary>
    int DefaultCapacity => ServiceLineModule.DefaultVolunteerCapacity;

    /// <summary>
    /// Maps the module's own endpoints, if it has any, under the group the host gives it (<c>/api/lines/{key}</c>,
    /// signed-in callers only). An endpoint sends a MediatR request, so the host's pipeline runs for it as for its own:
    /// audit, the role check (<see cref="Requests.AllowedRolesAttribute"/>), the child's region
    /// (<see cref="Requests.IChildScopedRequest"/>) and validation.
    /// </summary>
    void MapEndpoints(IEndpointRouteBuilder endpoints);
}

/// <summary>
/// Convenience base: schema-driven validation and no endpoints. Modules override
/// what they need.
/// </summary>
public abstract class ServiceLineModule : IServiceLineModule
{
    /// <summary>How long a need waits before escalating when the line does not say otherwise: two weeks.</summary>
    public static readonly TimeSpan DefaultWait = TimeSpan.FromDays(14);

    /// <summary>Children a volunteer takes on at once when neither the registration nor the line says otherwise.</summary>
    public const int DefaultVolunteerCapacity = 2;

    public virtual DateTime WaitUntil(WaitContext context) => context.Need.RequestedAtUtc + DefaultWait;

    public virtual int DefaultCapacity => DefaultVolunteerCapacity;

    public abstract ModuleInfo Info { get; }
    public abstract IReadOnlyList<FieldSpec> NeedDetailsSchema { get; }
    public abstract IReadOnlyList<FieldSpec> ProviderOfferSchema { get; }

    public virtual IReadOnlyList<FieldError> ValidateNeedDetails(JsonElement details) =>
        SchemaValidator.Validate(details, NeedDetailsSchema);

    public virtual IReadOnlyList<FieldError> ValidateProviderOffer(JsonElement offer) =>
        SchemaValidator.Validate(offer, ProviderOfferSchema);

    public abstract Eligibility CheckEligibility(MatchCandidate candidate);

    public abstract IEnumerable<ScorePart> Score(MatchCandidate candidate);

    public virtual void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
    }
}
