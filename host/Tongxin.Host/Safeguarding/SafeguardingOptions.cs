namespace Tongxin.Host.Safeguarding;

/// <summary><c>Safeguarding:*</c> settings.</summary>
public sealed class SafeguardingOptions
{
    public const string Section = "Safeguarding";

    /// <summary>A concern not reported to the police within this time escalates (mandatory reporting is "at once").</summary>
    public TimeSpan PoliceReportDeadline { get; set; } = TimeSpan.FromHours(24);

    public TimeSpan EscalationInterval { get; set; } = TimeSpan.FromMinutes(1);
}
