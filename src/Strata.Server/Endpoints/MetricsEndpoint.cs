using Microsoft.AspNetCore.Http;
using Strata.Server.Generation;
using Strata.Server.Metrics;

namespace Strata.Server.Endpoints;

/// <summary><c>GET /metrics</c>: Prometheus text.</summary>
internal sealed class MetricsEndpoint(EngineHost host, ServerMetrics metrics)
{
    public Task HandleAsync(HttpContext context)
    {
        context.Response.ContentType = PrometheusText.ContentType;
        var stats = host.Stats;
        var text = metrics.Render(stats);
        CacheMetrics.WriteTo(text, stats);
        GuardMetrics.WriteTo(text, host.Guard);
        return context.Response.WriteAsync(text.ToString());
    }
}
