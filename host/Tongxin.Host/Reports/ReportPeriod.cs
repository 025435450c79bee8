using System.Globalization;
using System.Text.RegularExpressions;
using Tongxin.Host.Errors;
using Tongxin.Host.Text;

namespace Tongxin.Host.Reports;

/// <summary>
/// A reporting period on China's calendar (UTC+8), kept as UTC instants [Start, End). <see cref="AsOf"/> is the
/// period's end, or now when the period is still running: figures "at the end" are as of then.
/// </summary>
public sealed partial record ReportPeriod(string Name, DateTime Start, DateTime End, DateTime AsOf, DateOnly DueOn)
{
    private static readonly TimeSpan China = TimeSpan.FromHours(8);

    public static DateTime ChinaMidnight(int year, int month, int day) => new DateTimeOffset(year, month, day, 0, 0, 0, China).UtcDateTime;

    /// <summary>
    /// <c>2026Q3</c>: July to September. The ledger is due by the 20th of the quarter's last month (002 §5.2);
    /// absent, the quarter we are in.
    /// </summary>
    public static ReportPeriod Quarter(string? value, DateTime now)
    {
        int year, quarter;
        if (string.IsNullOrEmpty(value))
        {
            var local = now + China;
            (year, quarter) = (local.Year, (local.Month - 1) / 3 + 1);
        }
        else
        {
            var match = QuarterPattern().Match(value);
            if (!match.Success)
            {
                throw RequestValidationException.ForField("quarter", HostTexts.Local("report.quarter.format"));
            }
            (year, quarter) = (int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
        }
        var start = ChinaMidnight(year, quarter * 3 - 2, 1);
        var end = quarter == 4 ? ChinaMidnight(year + 1, 1, 1) : ChinaMidnight(year, quarter * 3 + 1, 1);
        return Create($"{year}Q{quarter}", start, end, now, new DateOnly(year, quarter * 3, 20));
    }

    /// <summary>
    /// The progress year that is due on 1 November of <paramref name="value"/> (003 §4.2): 1 November of the year
    /// before to 31 October, so each month is reported exactly once. Absent: the one due next.
    /// </summary>
    public static ReportPeriod ProgressYear(string? value, DateTime now)
    {
        int year;
        if (string.IsNullOrEmpty(value))
        {
            var local = now + China;
            year = local.Month >= 11 ? local.Year + 1 : local.Year;
        }
        else if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out year) || year < 2000 || year > 2100)
        {
            throw RequestValidationException.ForField("year", HostTexts.Local("report.year.format"));
        }
        return Create(year.ToString(CultureInfo.InvariantCulture), ChinaMidnight(year - 1, 11, 1), ChinaMidnight(year, 11, 1), now, new DateOnly(year, 11, 1));
    }

    private static ReportPeriod Create(string name, DateTime start, DateTime end, DateTime now, DateOnly due)
    {
        if (start > now)
        {
            throw RequestValidationException.ForField(name.Contains('Q') ? "quarter" : "year", HostTexts.Local("report.period.future"));
        }
        return new ReportPeriod(name, start, end, end < now ? end : now, due);
    }

    [GeneratedRegex("^(20[0-9]{2})Q([1-4])$")]
    private static partial Regex QuarterPattern();
}
