using Tongxin.Modules.Contracts;

namespace Tongxin.Modules.Tutoring;

/// <summary>Field names and allowed values of a tutoring need and a tutor's offer.</summary>
internal static class TutoringSchema
{
    // Need details.
    public const string Subject = "subject";
    public const string Grade = "grade";
    public const string Schedule = "schedule";
    public const string Mode = "mode";
    public const string Notes = "notes";

    // Offer.
    public const string Subjects = "subjects";
    public const string GradeMin = "gradeMin";
    public const string GradeMax = "gradeMax";
    public const string Modes = "modes";

    public const string InPerson = "in-person";
    public const string Online = "online";

    public const int LowestGrade = 1;
    public const int HighestGrade = 12;
    public const int NotesMaxLength = 500;

    public static readonly IReadOnlyList<string> SubjectValues =
        ["chinese", "maths", "english", "physics", "chemistry", "biology", "history", "geography", "politics", "science"];

    public static readonly IReadOnlyList<string> ModeValues = [InPerson, Online];

    /// <summary>
    /// The 4:30 classroom (四点半课堂) runs straight after school, so a programme that gives no
    /// availability is taken to run on weekday afternoons.
    /// </summary>
    public static readonly IReadOnlyList<string> ProgrammeDefaultAvailability = [TimeSlots.WeekdayAfternoon];

    public static IReadOnlyList<FieldSpec> NeedDetails(TextResources texts) =>
    [
        new(Subject, FieldKind.Choice, texts["field.subject"], AllowedValues: SubjectValues)
            { ValueLabels = Labels(texts, "subject", SubjectValues) },
        new(Grade, FieldKind.Integer, texts["field.grade"], Min: LowestGrade, Max: HighestGrade),
        new(Schedule, FieldKind.MultiChoice, texts["field.schedule"], AllowedValues: TimeSlots.All)
            { ValueLabels = Labels(texts, "slot", TimeSlots.All) },
        new(Mode, FieldKind.Choice, texts["field.mode"], AllowedValues: ModeValues)
            { ValueLabels = Labels(texts, "mode", ModeValues) },
        new(Notes, FieldKind.Text, texts["field.notes"], Required: false, MaxLength: NotesMaxLength),
    ];

    public static IReadOnlyList<FieldSpec> ProviderOffer(TextResources texts) =>
    [
        new(Subjects, FieldKind.MultiChoice, texts["field.subjects"], AllowedValues: SubjectValues)
            { ValueLabels = Labels(texts, "subject", SubjectValues) },
        new(GradeMin, FieldKind.Integer, texts["field.gradeMin"], Min: LowestGrade, Max: HighestGrade),
        new(GradeMax, FieldKind.Integer, texts["field.gradeMax"], Min: LowestGrade, Max: HighestGrade),
        new(Modes, FieldKind.MultiChoice, texts["field.modes"], AllowedValues: ModeValues)
            { ValueLabels = Labels(texts, "mode", ModeValues) },
    ];

    /// <summary>The display name of one allowed value, e.g. <c>subject.maths</c> → 数学 / maths.</summary>
    public static LocalizedText Label(TextResources texts, string group, string value) => texts[$"{group}.{value}"];

    private static Dictionary<string, LocalizedText> Labels(TextResources texts, string group, IEnumerable<string> values) =>
        values.ToDictionary(v => v, v => Label(texts, group, v), StringComparer.Ordinal);
}
