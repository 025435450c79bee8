using FluentValidation;
using Orleans;
using Tongxin.Host.Persistence;
using Tongxin.Host.Requests;
using Tongxin.Host.Text;

namespace Tongxin.Host.Children;

/// <summary>Guardian consent as recorded on the file: who gave it, their relation to the child, when.</summary>
/// <summary>Guardian consent: who gave it, their relation to the child, when, and what for (default: all purposes).</summary>
[GenerateSerializer]
public sealed record GuardianConsentInput([property: Id(0)] string? By, [property: Id(1)] string? Relation, [property: Id(2)] DateTime? RecordedAt, [property: Id(3)] IReadOnlyList<string>? Purposes = null);

[GenerateSerializer, Immutable]
public sealed record GuardianConsentView([property: Id(0)] string By, [property: Id(1)] string Relation, [property: Id(2)] DateTime RecordedAt, [property: Id(3)] IReadOnlyList<string> Purposes);

/// <summary>What a guardian consents to: being matched with providers, receiving purchased services, sharing data across agencies.</summary>
public static class ConsentPurposes
{
    public const string Matching = "matching";
    public const string Services = "services";
    public const string DataSharing = "data-sharing";

    public static readonly IReadOnlyList<string> All = [Matching, Services, DataSharing];

    public static IReadOnlyList<string> OrAll(IReadOnlyList<string>? purposes) => purposes is { Count: > 0 } ? purposes.Distinct().ToList() : All;

    /// <summary>The purposes as stored on the file (a JSON array).</summary>
    public static IReadOnlyList<string> Of(string purposesJson) => System.Text.Json.JsonSerializer.Deserialize<List<string>>(purposesJson) ?? [];
}

/// <summary>The fields a child director writes on a file, shared by create and update.</summary>
public interface IChildFileFields
{
    string? GivenName { get; }
    string? FamilyName { get; }
    Gender? Gender { get; }
    DateOnly? BirthDate { get; }
    string? VillageCode { get; }
    ChildCategory? Category { get; }
    string? GuardianSituation { get; }
    RiskLevel? RiskLevel { get; }
    GuardianConsentInput? GuardianConsent { get; }
    IReadOnlyList<string>? PriorityGroups { get; }
}

/// <summary>
/// The file's rules: names and situation present and short; birth date in the past; under 18, and
/// under 16 for a left-behind child (DOMAIN.md); consent complete and not in the future.
/// </summary>
internal static class ChildFileRules
{
    public const int LeftBehindAgeLimit = 16;
    public const int ChildAgeLimit = 18;

    public static void AddChildFileRules<T>(this AbstractValidator<T> validator, TimeProvider clock)
        where T : IChildFileFields
    {
        validator.RuleFor(r => r.GivenName).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .MaximumLength(50).WithMessage(_ => HostTexts.Local("field.tooLong", 50));
        validator.RuleFor(r => r.FamilyName).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .MaximumLength(50).WithMessage(_ => HostTexts.Local("field.tooLong", 50));
        validator.RuleFor(r => r.Gender).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"));
        validator.RuleFor(r => r.Category).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"));
        validator.RuleFor(r => r.RiskLevel).NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"));
        validator.RuleFor(r => r.VillageCode).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"));
        validator.RuleFor(r => r.GuardianSituation).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .MaximumLength(500).WithMessage(_ => HostTexts.Local("field.tooLong", 500));
        validator.RuleFor(r => r.BirthDate).Cascade(CascadeMode.Stop)
            .NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"))
            .Must(d => d < clock.Today()).WithMessage(_ => HostTexts.Local("child.birthDate.future"))
            .Must(d => ChinaCalendar.AgeOn(d!.Value, clock.Today()) < ChildAgeLimit).WithMessage(_ => HostTexts.Local("child.birthDate.adult"));
        validator.RuleFor(r => r.BirthDate)
            .Must(d => ChinaCalendar.AgeOn(d!.Value, clock.Today()) < LeftBehindAgeLimit)
            .When(r => r.Category == ChildCategory.LeftBehind && r.BirthDate is { } d && d < clock.Today())
            .WithMessage(_ => HostTexts.Local("child.birthDate.leftBehindAge"));
        validator.RuleForEach(r => r.PriorityGroups)
            .Must(g => Children.PriorityGroups.Recordable.Contains(g))
            .WithMessage(_ => HostTexts.Local("child.priorityGroups.unknown", string.Join(", ", Children.PriorityGroups.Recordable)))
            .OverridePropertyName("priorityGroups");
        validator.When(r => r.GuardianConsent is not null, () =>
        {
            validator.RuleFor(r => r.GuardianConsent!.By).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"))
                .MaximumLength(50).WithMessage(_ => HostTexts.Local("field.tooLong", 50));
            validator.RuleFor(r => r.GuardianConsent!.Relation).NotEmpty().WithMessage(_ => HostTexts.Local("field.required.generic"))
                .MaximumLength(50).WithMessage(_ => HostTexts.Local("field.tooLong", 50));
            validator.RuleForEach(r => r.GuardianConsent!.Purposes).Must(p => ConsentPurposes.All.Contains(p))
                .WithMessage(_ => HostTexts.Local("consent.purpose.unknown", string.Join(", ", ConsentPurposes.All)))
                .OverridePropertyName("guardianConsent.purposes");
            validator.RuleFor(r => r.GuardianConsent!.RecordedAt).Cascade(CascadeMode.Stop)
                .NotNull().WithMessage(_ => HostTexts.Local("field.required.generic"))
                .Must(at => at <= clock.GetUtcNow().UtcDateTime.AddMinutes(5)).WithMessage(_ => HostTexts.Local("field.future"));
        });
    }

    public static void ApplyTo(this IChildFileFields fields, ChildFile file, string regionPath)
    {
        file.GivenName = fields.GivenName!.Trim();
        file.FamilyName = fields.FamilyName!.Trim();
        file.Gender = fields.Gender!.Value;
        file.BirthDate = fields.BirthDate!.Value;
        file.VillageCode = fields.VillageCode!;
        file.RegionPath = regionPath;
        file.Category = fields.Category!.Value;
        file.GuardianSituation = fields.GuardianSituation!.Trim();
        file.RiskLevel = fields.RiskLevel!.Value;
        file.PriorityGroupsJson = System.Text.Json.JsonSerializer.Serialize((fields.PriorityGroups ?? []).Distinct().ToList());
        file.ConsentBy = fields.GuardianConsent?.By?.Trim();
        file.ConsentRelation = fields.GuardianConsent?.Relation?.Trim();
        file.ConsentRecordedAt = fields.GuardianConsent?.RecordedAt?.ToUniversalTime();
        file.ConsentPurposesJson = System.Text.Json.JsonSerializer.Serialize(fields.GuardianConsent is null ? [] : ConsentPurposes.OrAll(fields.GuardianConsent.Purposes));
    }
}
