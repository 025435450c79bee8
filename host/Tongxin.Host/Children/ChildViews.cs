using Orleans;
using Tongxin.Host.Persistence;
using Tongxin.Host.Requests;

namespace Tongxin.Host.Children;

/// <summary>The whole file, for the staff who keep and oversee it (director, supervisor, civil affairs).</summary>
public sealed record ChildFileView(
    string Id,
    string GivenName,
    string FamilyName,
    Gender Gender,
    DateOnly BirthDate,
    int Age,
    string VillageCode,
    ChildCategory Category,
    string GuardianSituation,
    RiskLevel RiskLevel,
    IReadOnlyList<string> PriorityGroups,
    GuardianConsentView? GuardianConsent,
    int Version,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime? LastCallAt,
    DateTime? LastHomeVisitAt,
    DateTime? ClosedAt = null,
    string? ClosedReason = null) : IAuditSubject
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
