using Microsoft.Extensions.Diagnostics.HealthChecks;
using Strata.Server.Hosting;

namespace Strata.Server.Health;

/// <summary>
/// Degraded, never unhealthy, while the remote KV store is unreachable (its circuit breaker is open): the node still
/// serves, it only recomputes what the store would have supplied.
/// </summary>
internal sealed class RemoteStoreCheck(ServingState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(state.Engine?.Stats.Tier("remote")?.Detail("breaker_open") > 0
            ? HealthCheckResult.Degraded("the remote KV store is unreachable: prefixes are recomputed, not fetched")
            : HealthCheckResult.Healthy());
}
