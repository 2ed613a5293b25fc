using Microsoft.Extensions.Diagnostics.HealthChecks;
using Strata.Server.Hosting;

namespace Strata.Server.Health;

/// <summary>Not ready while a new request could not be admitted: the wait queue is full, or requests wait with no KV block free.</summary>
internal sealed class KvAdmissionCheck(ServingState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // Before the model has loaded the engine-loop check answers.
        if (state.Engine is not { } engine)
            return Task.FromResult(HealthCheckResult.Healthy());
        var stats = engine.Stats;
        var result = stats switch
        {
            _ when stats.WaitingSequences >= engine.Options.MaxQueue => HealthCheckResult.Unhealthy($"the wait queue is full ({stats.WaitingSequences} requests)"),
            { WaitingSequences: > 0, KvBlocksFree: 0 } => HealthCheckResult.Unhealthy($"the KV pool is full and {stats.WaitingSequences} requests wait"),
            _ => HealthCheckResult.Healthy(),
        };
        return Task.FromResult(result);
    }
}
