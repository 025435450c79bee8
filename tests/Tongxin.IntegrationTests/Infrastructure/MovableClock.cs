namespace Tongxin.IntegrationTests.Infrastructure;

/// <summary>A clock the test moves forward (offers expiring, needs waiting), starting from real time.</summary>
public sealed class MovableClock : TimeProvider
{
    private TimeSpan _offset;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + _offset;

    public void Advance(TimeSpan by) => _offset += by;

    /// <summary>Back to real time (in a finally: a failed test must not leave the next one in another day).</summary>
    public void Reset() => _offset = TimeSpan.Zero;
}
