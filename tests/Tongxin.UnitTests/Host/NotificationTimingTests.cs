using Tongxin.Host.Notifications;
using Xunit;

namespace Tongxin.UnitTests.Host;

/// <summary>When the sender sends: after quiet hours (China time, across midnight), and after waits that double up to a cap.</summary>
public sealed class NotificationTimingTests
{
    private static readonly TimeOnly Ten = new(22, 0);
    private static readonly TimeOnly Seven = new(7, 0);

    /// <summary>A UTC moment given as China time (UTC+8).</summary>
    private static DateTime China(int day, int hour, int minute = 0) =>
        DateTime.SpecifyKind(new DateTime(2026, 12, day, hour, minute, 0).AddHours(-8), DateTimeKind.Utc);

    [Theory]
    [InlineData(5, 21, 59)] // just before
    [InlineData(6, 7, 0)] // the end itself
    [InlineData(6, 12, 0)]
    public void OutsideQuietHoursItGoesAtOnce(int day, int hour, int minute)
    {
        var now = China(day, hour, minute);
        Assert.Equal(now, QuietHours.NextSendTime(now, Ten, Seven));
    }

    [Theory]
    [InlineData(5, 22, 0, 6)] // the evening: tomorrow morning
    [InlineData(5, 23, 30, 6)]
    [InlineData(6, 0, 15, 6)] // past midnight: this morning
    [InlineData(6, 6, 59, 6)]
    public void InQuietHoursItWaitsForSevenChinaTime(int day, int hour, int minute, int sendDay)
    {
        Assert.Equal(China(sendDay, 7), QuietHours.NextSendTime(China(day, hour, minute), Ten, Seven));
    }

    [Fact]
    public void AWindowWithinOneDayAndNoWindowAtAll()
    {
        Assert.Equal(China(6, 14), QuietHours.NextSendTime(China(6, 13), new TimeOnly(12, 0), new TimeOnly(14, 0)));
        Assert.Equal(China(6, 3), QuietHours.NextSendTime(China(6, 3), new TimeOnly(0, 0), new TimeOnly(0, 0)));
    }

    [Fact]
    public void EachFailureDoublesTheWaitUpToTheCap()
    {
        var first = TimeSpan.FromSeconds(30);
        var cap = TimeSpan.FromMinutes(30);
        Assert.Equal(
            [30, 60, 120, 240, 480, 960, 1800, 1800],
            Enumerable.Range(1, 8).Select(n => NotificationSender.RetryDelay(n, first, cap).TotalSeconds));
        Assert.Equal(cap, NotificationSender.RetryDelay(200, first, cap)); // no overflow however long it fails
    }
}
