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
        var text = metrics.Render(host.Engine.Stats);
        CacheMetrics.WriteTo(text, host.Engine);
        GuardMetrics.WriteTo(text, host.Engine.Options.Guard);
        return context.Response.WriteAsync(text.ToString());
    }
}
