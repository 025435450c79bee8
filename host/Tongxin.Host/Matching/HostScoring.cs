using Tongxin.Host.Children;
using Tongxin.Host.Text;
using Tongxin.Modules.Contracts;

namespace Tongxin.Host.Matching;

/// <summary>
/// The host's own score parts, the same for every line: priority to high risk, urgent and long-waiting
/// needs and to priority groups (DOMAIN.md), and nearness in the region tree. Each part is named so an
/// offer can say why it was made. Points are integers so the batch optimisation is exact.
/// </summary>
public static class HostScoring
{
    public const int HighRisk = 60;
    public const int MediumRisk = 30;
    public const int Urgent = 50;
    public const int PointsPerDayWaiting = 2;
    public const int MaxWaiting = 60;
    public const int PriorityGroup = 40;
    public const int SameVillage = 40;
    public const int SameTown = 25;
    public const int SameCounty = 10;

    public static IEnumerable<ScorePart> Parts(NeedFacts need, Proximity proximity, DateTime now)
    {
        switch (need.RiskLevel)
        {
            case "high":
                yield return Part("priority.risk-high", HighRisk);
                break;
            case "medium":
                yield return Part("priority.risk-medium", MediumRisk);
                break;
        }
        if (need.Urgent)
        {
            yield return Part("priority.urgent", Urgent);
        }
        var days = (int)Math.Floor((now - need.RequestedAtUtc).TotalDays);
        if (days > 0)
        {
            yield return new ScorePart("priority.waiting", HostTexts.Get("reason.priority.waiting").Format(days), Math.Min(MaxWaiting, days * PointsPerDayWaiting));
        }
        if (need.PriorityGroups.Count > 0)
        {
            var group = need.PriorityGroups.First();
            yield return new ScorePart("priority.group", HostTexts.Get("reason.priority.group").Format(HostTexts.Get($"group.{group}").Zh, HostTexts.Get($"group.{group}").En), PriorityGroup);
        }
        switch (proximity)
        {
            case Proximity.SameVillage:
                yield return Part("distance.same-village", SameVillage);
                break;
            case Proximity.SameTown:
                yield return Part("distance.same-town", SameTown);
                break;
            case Proximity.SameCounty:
                yield return Part("distance.same-county", SameCounty);
                break;
        }
    }

    private static ScorePart Part(string code, int points) => new(code, HostTexts.Get($"reason.{code}"), points);

    /// <summary>Keep the compiler honest about the groups the texts must cover.</summary>
    public static IReadOnlyList<string> Groups => [PriorityGroups.LeftBehindGirl, .. PriorityGroups.Recordable];
}
