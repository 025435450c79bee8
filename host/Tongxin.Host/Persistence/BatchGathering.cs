using System.Threading.Channels;

namespace Tongxin.Host.Persistence;

/// <summary>
/// How the batch loops (<see cref="Audit.AuditLog"/>'s writer, <see cref="GroupInserts"/>) take
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
        if (!WaitForWork(reader))
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

    /// <summary>
    /// Blocks until an item is waiting (true) or the channel is completed and empty (false), without spinning first:
    /// a blocking wait on a task spins and yields the processor for a while before it sleeps, and with two batch
    /// threads between requests that was half of their CPU (measured: sched_yield, 11 % of the file reads thread's
    /// samples), taken from the requests. A batch thread is woken by the first item; a microsecond more to wake it is
    /// nothing beside the batch's own query.
    /// </summary>
    private static bool WaitForWork<T>(ChannelReader<T> reader)
    {
        var waiting = reader.WaitToReadAsync();
        if (waiting.IsCompleted)
        {
            return waiting.Result;
        }
        // Not disposed: Set may still be finishing on the completing thread after Wait returns, and an event whose
        // WaitHandle is never asked for holds nothing but managed memory.
        var woken = new ManualResetEventSlim(false, spinCount: 0);
        var awaiter = waiting.ConfigureAwait(false).GetAwaiter();
        awaiter.UnsafeOnCompleted(woken.Set);
        woken.Wait();
        return awaiter.GetResult();
    }

    private static void Drain<T>(ChannelReader<T> reader, List<T> batch, int max)
    {
        while (batch.Count < max && reader.TryRead(out var next))
        {
            batch.Add(next);
        }
    }
}
