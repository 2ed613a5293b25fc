using Microsoft.Extensions.Diagnostics.HealthChecks;
using Strata.Engine;

namespace Strata.Server.Health;

/// <summary>
/// Not ready when the engine loop has stalled: it must turn within the stall timeout. The loop turns between steps (or
/// at once when idle), so only a step or a wait that hangs fails this.
/// </summary>
internal sealed class EngineLoopCheck(InferenceEngine engine, ServerOptions options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
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
