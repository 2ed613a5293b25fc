using Microsoft.Extensions.Diagnostics.HealthChecks;
using Strata.Server.Hosting;

namespace Strata.Server.Health;

/// <summary>
/// Not ready while the model loads (there is no engine loop yet), nor when the engine loop has stalled: it must turn
/// within the stall timeout. The loop turns between steps (or at once when idle), so only a step or a wait that hangs
/// fails this.
/// </summary>
internal sealed class EngineLoopCheck(ServingState state, ServerOptions options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (state.Engine is not { } engine)
            return HealthCheckResult.Unhealthy("the model is loading");
        try
        {
            await engine.WaitForLoopTurnAsync().WaitAsync(options.LoopStallTimeout, cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"the engine loop has not turned in {options.LoopStallTimeout.TotalSeconds:0.###} s");
        }
    }
}
