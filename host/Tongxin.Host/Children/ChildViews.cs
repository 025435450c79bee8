using Orleans;
using Tongxin.Host.Persistence;
using Tongxin.Host.Requests;

namespace Tongxin.Host.Children;

/// <summary>The whole file, for the staff who keep and oversee it (director, supervisor, civil affairs).</summary>
[GenerateSerializer, Immutable]
public sealed record ChildFileView(
    [property: Id(0)] string Id,
    [property: Id(1)] string GivenName,
    [property: Id(2)] string FamilyName,
    [property: Id(3)] Gender Gender,
    [property: Id(4)] DateOnly BirthDate,
    [property: Id(5)] int Age,
    [property: Id(6)] string VillageCode,
    [property: Id(7)] ChildCategory Category,
    [property: Id(8)] string GuardianSituation,
    [property: Id(9)] RiskLevel RiskLevel,
    [property: Id(10)] IReadOnlyList<string> PriorityGroups,
    [property: Id(11)] GuardianConsentView? GuardianConsent,
    [property: Id(12)] int Version,
    [property: Id(13)] DateTime CreatedAt,
    [property: Id(14)] DateTime UpdatedAt,
    [property: Id(15)] DateTime? LastCallAt,
    [property: Id(16)] DateTime? LastHomeVisitAt,
    [property: Id(17)] DateTime? ClosedAt = null,
    [property: Id(18)] string? ClosedReason = null) : IAuditSubject
{
    string IAuditSubject.AuditSubjectId => Id;
}

/// <summary>One line of a list of children.</summary>
public sealed record ChildSummary(string Id, string GivenName, string FamilyName, Gender Gender, int Age, string VillageCode, ChildCategory Category, RiskLevel RiskLevel, int Version);

public sealed record ChildPage(IReadOnlyList<ChildSummary> Items, int Page, int PageSize, int Total);

/// <summary>What a create or update answers: the id and the version to send with the next update.</summary>
[GenerateSerializer]
public sealed record ChildFileSaved([property: Id(0)] string Id, [property: Id(1)] int Version) : IAuditSubject
{
    string IAuditSubject.AuditSubjectId => Id;
}

internal static class ChildViewMapping
{
    public static GuardianConsentView? Consent(ChildFile file) =>
        file is { ConsentBy: not null, ConsentRelation: not null, ConsentRecordedAt: not null }
            ? new GuardianConsentView(file.ConsentBy, file.ConsentRelation, file.ConsentRecordedAt.Value,
                System.Text.Json.JsonSerializer.Deserialize<List<string>>(file.ConsentPurposesJson) ?? [])
            : null;
}
