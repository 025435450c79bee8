using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Tongxin.Grains;

public static class GrainServiceCollectionExtensions
{
    /// <summary>
    /// Registers the grain runtime (<see cref="GrainRuntime"/>, also as <see cref="IGrainFactory"/>) and
    /// a hosted service that drops idle activations every <see cref="GrainOptions.SweepInterval"/> and
    /// deactivates all of them when the host stops. Time comes from <see cref="TimeProvider"/>
    /// (<see cref="TimeProvider.System"/> unless one is registered), so tests can move the clock.
    /// </summary>
    public static IServiceCollection AddGrains(this IServiceCollection services, Action<GrainOptions>? configure = null)
    {
        var options = services.AddOptions<GrainOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new GrainRuntime(
            sp,
            sp.GetServices<GrainRegistration>(),
            sp.GetRequiredService<IOptions<GrainOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            Logger<GrainRuntime>(sp)));
        services.TryAddSingleton<IGrainFactory>(sp => sp.GetRequiredService<GrainRuntime>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, GrainIdleSweeper>(sp => new GrainIdleSweeper(
            sp.GetRequiredService<GrainRuntime>(),
            sp.GetRequiredService<IOptions<GrainOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            Logger<GrainIdleSweeper>(sp))));
        return services;
    }

    /// <summary>Registers <typeparamref name="TGrain"/> as the class behind <typeparamref name="TGrainInterface"/>.</summary>
    public static IServiceCollection AddGrain<TGrainInterface, TGrain>(this IServiceCollection services)
        where TGrain : Grain, TGrainInterface
        where TGrainInterface : IGrainWithStringKey
    {
        services.AddSingleton(new GrainRegistration(typeof(TGrainInterface), typeof(TGrain)));
        return services;
    }

    // Logging is optional so the runtime also works in a bare ServiceCollection (tests, tools).
    private static ILogger Logger<T>(IServiceProvider sp) =>
        sp.GetService<ILoggerFactory>()?.CreateLogger<T>() ?? NullLogger<T>.Instance;
}

/// <summary>
/// Drops idle activations periodically, and deactivates all of them when the host stops. One timer
/// for the whole runtime: activations carry no timers of their own (memory per idle grain stays small).
/// </summary>
internal sealed class GrainIdleSweeper(GrainRuntime runtime, GrainOptions options, TimeProvider time, ILogger logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.SweepInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    var dropped = await runtime.DeactivateIdleAsync(stoppingToken).ConfigureAwait(false);
                    if (dropped > 0)
                    {
                        logger.LogDebug("Deactivated {Count} idle grain activations; {Remaining} remain.", dropped, runtime.ActivationCount);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Sweeping idle grain activations failed.");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stopping.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Each activation gets its last turn (OnDeactivateAsync) before the process ends.
            await runtime.DeactivateAllAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("Shutdown timed out while deactivating grains; {Remaining} activations left.", runtime.ActivationCount);
        }
    }
}
