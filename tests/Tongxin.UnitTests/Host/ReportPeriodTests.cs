using Tongxin.Host.Errors;
using Tongxin.Host.Reports;

namespace Tongxin.UnitTests.Host;

/// <summary>Reporting periods on China's calendar, and the gap map's percentiles.</summary>
public sealed class ReportPeriodTests
{
    private static readonly DateTime Now = new(2026, 11, 23, 9, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void AQuarterRunsFromMidnightChinaTimeAndIsDueOnThe20thOfItsLastMonth()
    {
        var q3 = ReportPeriod.Quarter("2026Q3", Now);
        Assert.Equal(new DateTime(2026, 6, 30, 16, 0, 0, DateTimeKind.Utc), q3.Start);
        Assert.Equal(new DateTime(2026, 9, 30, 16, 0, 0, DateTimeKind.Utc), q3.End);
        Assert.Equal(q3.End, q3.AsOf);
        Assert.Equal(new DateOnly(2026, 9, 20), q3.DueOn);
        var current = ReportPeriod.Quarter(null, Now);
        Assert.Equal("2026Q4", current.Name);
        Assert.Equal(Now, current.AsOf);
        Assert.Equal(new DateOnly(2026, 12, 20), current.DueOn);
    }

    [Fact]
    public void TheProgressYearDueOn1NovemberRunsFromTheNovemberBefore()
    {
        var year = ReportPeriod.ProgressYear("2026", Now);
        Assert.Equal(new DateTime(2025, 10, 31, 16, 0, 0, DateTimeKind.Utc), year.Start);
        Assert.Equal(new DateTime(2026, 10, 31, 16, 0, 0, DateTimeKind.Utc), year.End);
        Assert.Equal(new DateOnly(2026, 11, 1), year.DueOn);
        Assert.Equal("2027", ReportPeriod.ProgressYear(null, Now).Name); // after 1 November, the next one is running
    }

    [Theory]
    [InlineData("2026Q0")]
    [InlineData("2026Q5")]
    [InlineData("26Q1")]
    [InlineData("2027Q1")] // not begun yet
    public void ABadOrFutureQuarterIsRefusedNamingTheField(string value)
    {
        var error = Assert.Throws<RequestValidationException>(() => ReportPeriod.Quarter(value, Now));
        Assert.Contains("quarter", error.Errors.Keys);
    }

    [Fact]
    public void PercentilesAreByNearestRank()
    {
        Assert.Null(Tongxin.Host.Reports.GetGapMapHandler.NearestRank([], 50));
        Assert.Equal(4, Tongxin.Host.Reports.GetGapMapHandler.NearestRank([1, 4, 6, 9], 50));
        Assert.Equal(9, Tongxin.Host.Reports.GetGapMapHandler.NearestRank([1, 4, 6, 9], 90));
        Assert.Equal(2.5, Tongxin.Host.Reports.GetGapMapHandler.NearestRank([2.46], 90));
    }
}
