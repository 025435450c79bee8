namespace Tongxin.Host.Requests;

/// <summary>
/// Dates as people in China see them (UTC+8, no daylight saving): a child's age and "today" are
/// counted on the local calendar, while instants are stored in UTC.
/// </summary>
public static class ChinaCalendar
{
    private static readonly TimeSpan Offset = TimeSpan.FromHours(8);

    public static DateOnly Today(this TimeProvider clock) => DateOnly.FromDateTime(clock.GetUtcNow().ToOffset(Offset).DateTime);

    public static int AgeOn(DateOnly birthDate, DateOnly today)
    {
        var age = today.Year - birthDate.Year;
        return birthDate.AddYears(age) > today ? age - 1 : age;
    }
}
