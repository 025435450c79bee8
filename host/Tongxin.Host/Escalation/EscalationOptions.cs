namespace Tongxin.Host.Escalation;

/// <summary>
/// <c>Escalation:*</c>: how unplaced needs climb. Each line says how long its needs may wait
/// (<see cref="Tongxin.Modules.Contracts.IServiceLineModule.WaitUntil"/>); a county may override it in days per
/// line (<c>Escalation:WaitDays:tutoring = 10</c>). The town then has <see cref="TownActsWithin"/> (or the
/// line's wait, if shorter) before the need reaches civil affairs.
/// </summary>
public sealed class EscalationOptions
{
    public const string Section = "Escalation";

    public TimeSpan SweepEvery { get; set; } = TimeSpan.FromMinutes(30);
    public TimeSpan TownActsWithin { get; set; } = TimeSpan.FromDays(7);
    public Dictionary<string, double> WaitDays { get; set; } = new(StringComparer.Ordinal);
}
