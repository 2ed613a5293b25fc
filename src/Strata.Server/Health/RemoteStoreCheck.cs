using Microsoft.Extensions.Diagnostics.HealthChecks;
using Strata.KvCache.Remote;
using Strata.Server.Generation;

namespace Strata.Server.Health;

/// <summary>
/// Degraded, never unhealthy, while the remote KV store is unreachable: the node still serves, it only recomputes
/// what the store would have supplied.
/// </summary>
internal sealed class RemoteStoreCheck(EngineHost host) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(host.Engine.RemoteCacheStats is { Breaker: not BreakerState.Closed }
            ? HealthCheckResult.Degraded("the remote KV store is unreachable: prefixes are recomputed, not fetched")
            : HealthCheckResult.Healthy());
}
