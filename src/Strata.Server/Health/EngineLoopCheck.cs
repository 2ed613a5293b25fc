using Microsoft.Extensions.Diagnostics.HealthChecks;
using Strata.Server.Generation;

namespace Strata.Server.Health;

/// <summary>
/// Not ready when the engine loop has stalled: a no-op queued onto the loop thread must run within the stall timeout.
/// The loop picks it up between steps (or at once when idle), so only a step or a wait that hangs fails this.
/// </summary>
internal sealed class EngineLoopCheck(EngineHost host, ServerOptions options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await host.Engine.RunOnLoopAsync(() => true).WaitAsync(options.LoopStallTimeout, cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"the engine loop has not turned in {options.LoopStallTimeout.TotalSeconds:0.###} s");
        }
    }
}
