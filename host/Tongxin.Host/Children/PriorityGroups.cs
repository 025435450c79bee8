using System.Text.Json;
using Tongxin.Host.Persistence;

namespace Tongxin.Host.Children;

/// <summary>
/// The priority groups of DOMAIN.md. "Left-behind girl" is read from the file itself; the others are
/// recorded by the director.
/// </summary>
public static class PriorityGroups
{
    public const string LeftBehindGirl = "left-behind-girl";
    public const string Disabled = "disabled";
    public const string PsychologicalProblems = "psychological-problems";
    public const string ParentsDisabledOrIll = "parents-disabled-or-ill";
    public const string PoorFamily = "poor-family";

    /// <summary>What a director may record (the derived group is not accepted as input).</summary>
    public static readonly IReadOnlyList<string> Recordable = [Disabled, PsychologicalProblems, ParentsDisabledOrIll, PoorFamily];

    public static IReadOnlyList<string> Recorded(ChildFile file) =>
        JsonSerializer.Deserialize<List<string>>(file.PriorityGroupsJson) ?? [];

    /// <summary>Recorded groups plus the derived one.</summary>
    public static IReadOnlyList<string> Of(ChildFile file)
    {
        var groups = Recorded(file).ToList();
        if (file.Gender == Gender.Female && file.Category == ChildCategory.LeftBehind)
        {
            groups.Insert(0, LeftBehindGirl);
        }
        return groups;
    }
}
