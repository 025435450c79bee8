using System.Threading.Channels;

namespace Tongxin.Host.Persistence;

/// <summary>
/// A queue that one thread of its own empties in batches: requests add items and await them; the thread takes every
/// item waiting at that moment (<see cref="BatchGathering"/>) and hands the batch to <see cref="Process"/>, which
/// answers each item, or, if it throws, to <see cref="Failed"/>, which answers each with the failure. The audit log's writer, the file reads and the group inserts are each one of these.
/// <para>
/// Its own thread, not the thread pool's: under load the pool's queue holds thousands of request work items, and a
/// worker woken through it waited behind all of them (measured: milliseconds per batch) while every request in its
/// batch waited on it. The database calls are synchronous there, as SQLite's are underneath anyway. The thread is
/// started outside the async flow of whichever request made the singleton: that flow's pending audit row
/// (<see cref="Audit.PendingAudit"/>) must not ride along with every batch.
/// </para>
/// </summary>
public abstract class BatchWorker<T> : IAsyncDisposable, IDisposable
{
    private readonly Channel<T> queue;
    private readonly int maxBatch;
    private readonly int lingerBelow;
    private readonly string name;
    private readonly TaskCompletionSource stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long batches;

    /// <param name="name">The thread's name (seen in dumps and profiles).</param>
    /// <param name="maxBatch">Items per batch at most: a batch stays a short transaction or query even in a burst.</param>
    /// <param name="lingerBelow">A batch of more than one item but fewer than this waits a moment for more (0: never).</param>
    protected BatchWorker(string name, int maxBatch, int lingerBelow)
    {
        this.name = name;
        this.maxBatch = maxBatch;
        this.lingerBelow = lingerBelow;
        // Bounded: a database that stalls makes requests wait (back-pressure) instead of growing memory without end.
        queue = Channel.CreateBounded<T>(new BoundedChannelOptions(16 * maxBatch)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>How many batches <see cref="Process"/> has done without throwing (for tests and the load figures).</summary>
    public long Batches => Interlocked.Read(ref batches);

    /// <summary>Starts the thread; called last in the derived constructor, once everything <see cref="Process"/> uses is set.</summary>
    protected void Start()
    {
        using (ExecutionContext.SuppressFlow())
        {
            new Thread(Run) { IsBackground = true, Name = name }.Start();
        }
    }

    /// <summary>Queues <paramref name="item"/>, waiting while the queue is full. Throws <see cref="ChannelClosedException"/> once disposed.</summary>
    protected ValueTask EnqueueAsync(T item, CancellationToken cancellationToken = default) =>
        queue.Writer.WriteAsync(item, cancellationToken);

    /// <summary>Does the batch and answers every item in it.</summary>
    protected abstract void Process(List<T> batch);

    /// <summary>
    /// <see cref="Process"/> threw: answer every item of the batch not yet answered (TrySet...), so no request waits
    /// for ever, and log it. The thread goes on with the next batch.
    /// </summary>
    protected abstract void Failed(List<T> batch, Exception exception);

    private void Run()
    {
        var batch = new List<T>(maxBatch);
        try
        {
            while (BatchGathering.Next(queue.Reader, batch, maxBatch, lingerBelow))
            {
                try
                {
                    Process(batch);
                    Interlocked.Increment(ref batches);
                }
                catch (Exception e)
                {
                    Failed(batch, e);
                }
            }
        }
        finally
        {
            stopped.TrySetResult();
        }
    }

    /// <summary>Stops taking items; those already queued are still done.</summary>
    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await stopped.Task;
    }

    // A container disposed synchronously must still finish what is queued (and must not refuse an async-only singleton).
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
