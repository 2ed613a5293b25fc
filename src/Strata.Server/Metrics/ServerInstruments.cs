using Microsoft.Extensions.DependencyInjection;
using Strata.Server.Hosting;

namespace Strata.Server.Metrics;

/// <summary>
/// The one list of the server's instrument sets, all on the <see cref="ServerMetrics.MeterName"/> meter: what the server
/// measures per request (<see cref="ServerMetrics"/>), and what it observes from the engine's stats at collection
/// time. A new set of metrics is a class taking <c>IMeterFactory</c> (and the engine, to observe it) added here.
/// </summary>
internal static class ServerInstruments
{
    public static void Add(IServiceCollection services) => services
        .AddSingleton<ServerMetrics>()
        .AddSingleton(ServingState.WithEngine<EngineMetrics>)
        .AddSingleton(ServingState.WithEngine<CacheMetrics>)
        .AddSingleton(ServingState.WithEngine<GuardMetrics>)
        .AddSingleton(ServingState.WithEngine<KvIntegrityMetrics>)
        .AddSingleton(ServingState.WithEngine<SloMetrics>)
        .AddSingleton(ServingState.WithEngine<SpeculationMetrics>);

    /// <summary>Creates the observed instruments, once the engine has loaded (nothing else asks for them).</summary>
    public static void ObserveEngine(IServiceProvider services)
    {
        services.GetRequiredService<EngineMetrics>();
        services.GetRequiredService<CacheMetrics>();
        services.GetRequiredService<GuardMetrics>();
        services.GetRequiredService<KvIntegrityMetrics>();
        services.GetRequiredService<SloMetrics>();
        services.GetRequiredService<SpeculationMetrics>();
    }
}
