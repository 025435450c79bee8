using Orleans;
using Tongxin.Host.Errors;
using Tongxin.Host.Text;

namespace Tongxin.Host.Grains;

/// <summary>
/// What a grain call that failed outside our own rules means to the caller. On the grain's side: a database out of
/// reach becomes <see cref="ServiceUnavailableException"/> (its driver's exceptions do not cross hosts with their
/// details, so the meaning is decided where they are thrown). On the caller's side (<see cref="IsUnreachable"/>):
/// a grain that cannot be reached — its host died and the cluster has not yet moved it, a call timed out, the
/// silo is stopping — is a 503 with Retry-After, never a 500, and the client's retry on any host succeeds.
/// </summary>
internal sealed class GrainFaults(ILogger<GrainFaults> logger) : IIncomingGrainCallFilter
{
    /// <summary>How soon a client should try again: about the time the cluster takes to move a dead host's grains.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(2);

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception e) when (ProblemExceptionHandler.DatabaseUnavailable(e))
        {
            logger.LogWarning("Database unreachable in {Grain}.{Method}: {Error}", context.InterfaceName, context.MethodName, e.GetBaseException().Message);
            throw new ServiceUnavailableException(HostTexts.Local("health.database"), RetryAfter);
        }
    }

    /// <summary>The grain could not be reached or did not answer: Orleans' own failures (messaging, a silo gone, a timeout).</summary>
    public static bool IsUnreachable(Exception exception) =>
        exception is Orleans.Runtime.OrleansException or TimeoutException
        || exception.GetType().Namespace?.StartsWith("Orleans", StringComparison.Ordinal) == true;
}
