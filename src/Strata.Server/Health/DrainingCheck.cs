using Microsoft.Extensions.Diagnostics.HealthChecks;
using Strata.Server.Hosting;

namespace Strata.Server.Health;

/// <summary>Not ready once the server drains: running requests finish, new ones belong elsewhere.</summary>
internal sealed class DrainingCheck(ServingState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(state.Draining ? HealthCheckResult.Unhealthy("draining: the server is shutting down") : HealthCheckResult.Healthy());
}
