using System.Threading.Channels;

namespace Tongxin.Host.Persistence;

/// <summary>
/// How the batch loops (<see cref="Audit.AuditLog"/>'s writer, <see cref="Children.ChildFileReads"/>' reader) take
/// their next batch, each on its own thread: wait for work, take everything waiting, and in a busy moment wait a
/// little for more, so the database sees fewer, larger statements.
/// </summary>
internal static class BatchGathering
{
    /// <summary>About a millisecond: small beside a request's latency target, large beside one batch statement.</summary>
    public static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// Blocks until work is waiting, then fills <paramref name="batch"/> (cleared first) with up to <paramref name="max"/>
    /// items. With more than one item but fewer than <paramref name="lingerBelow"/>, waits <see cref="Linger"/> and takes
    /// more: several at once means a busy moment. A lone item (a quiet moment) goes at once. False once the channel is
    /// completed and empty.
    /// </summary>
    public static bool Next<T>(ChannelReader<T> reader, List<T> batch, int max, int lingerBelow)
    {
        if (!reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            return false;
        }
        batch.Clear();
        Drain(reader, batch, max);
        if (batch.Count > 1 && batch.Count < lingerBelow)
        {
            Thread.Sleep(Linger);
            Drain(reader, batch, max);
        }
        return true;
    }

    private static void Drain<T>(ChannelReader<T> reader, List<T> batch, int max)
    {
        while (batch.Count < max && reader.TryRead(out var next))
        {
            batch.Add(next);
        }
    }
}
