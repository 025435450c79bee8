using Orleans;
using Tongxin.Host.Errors;
using Tongxin.Host.Text;

namespace Tongxin.Host.Grains;

/// <summary>
/// Base of our grains: their state lives in our EF Core tables (reports and exports read them), is loaded on
/// activation, and is written with the version it was read at. Orleans keeps one activation per key in the
/// cluster, so two writers of one record are rare; they still happen (a host that was thought dead and was not, a
/// batch or a handler writing the same row outside the grain). Such a write fails on the version
/// (<see cref="StaleWrites.IsStale"/>); this class then reloads the state and runs the call again, up to
/// <see cref="MaxStaleRetries"/> times, and after that answers 409.
/// </summary>
public abstract class VersionedGrain : Grain, IIncomingGrainCallFilter
{
    /// <summary>Reloads and retries after a stale write, at most this often per call.</summary>
    public const int MaxStaleRetries = 3;

    /// <summary>The key this activation serves: a child, provider or contract id.</summary>
    protected string Key => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    public Task<GrainLocation> LocateAsync() => Task.FromResult(GrainLocation.Of(GrainContext));

    /// <summary>
    /// Loads the whole state from the database. Runs on activation and again after a stale write, so it must
    /// replace every field it owns. A record that does not exist must not throw here (Orleans logs a failed
    /// activation as an error), nor deactivate (the call that activated it would be forwarded to a new activation,
    /// which would do the same): remember it, and let the calls answer 404 (<see cref="Missing"/>).
    /// </summary>
    protected virtual Task LoadAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Null while the record exists; otherwise the 404 that every call answers.</summary>
    protected virtual NotFoundException? Missing => null;

    // The grain's own filter, innermost (after the silo-wide ones: culture, audit row, faults), so the retry runs
    // the method alone, with the request's audit row still pending for the retried save to carry.
    async Task IIncomingGrainCallFilter.Invoke(IIncomingGrainCallContext context)
    {
        if (Missing is { } missing)
        {
            throw missing;
        }
        for (var retries = 0; ; retries++)
        {
            try
            {
                await context.Invoke();
                return;
            }
            catch (Exception e) when (StaleWrites.IsStale(e))
            {
                if (retries == MaxStaleRetries)
                {
                    // The state held here cannot be trusted: the next call starts from a fresh activation.
                    DeactivateOnIdle();
                    throw new ConflictException(HostTexts.Local("conflict.staleVersion"));
                }
                await LoadAsync(CancellationToken.None);
            }
        }
    }
}
