using Microsoft.AspNetCore.Http;
using Strata.Server.Generation;
using Strata.Server.Metrics;

namespace Strata.Server.Endpoints;

/// <summary><c>GET /metrics</c>: Prometheus text.</summary>
internal sealed class MetricsEndpoint(EngineHost host, ServerMetrics metrics)
{
    // The check waits for the engine's current step; an engine stuck longer than this reports no integrity at all.
    private static readonly TimeSpan IntegrityPatience = TimeSpan.FromSeconds(5);

    public async Task HandleAsync(HttpContext context)
    {
        var integrity = await CheckIntegrityAsync();
        context.Response.ContentType = PrometheusText.ContentType;
        var stats = host.Stats;
        var text = metrics.Render(stats, host.MaxSequences);
        if (integrity is { } ok)
            text.Gauge("strata_kv_integrity_ok", "1 if every KV block's references match the sequences and pins holding it, checked at this scrape.", ok ? 1 : 0);
        CacheMetrics.WriteTo(text, stats);
        GuardMetrics.WriteTo(text, host.Guard);
        SpeculationMetrics.WriteTo(text, stats.Speculation);
        await context.Response.WriteAsync(text.ToString());
    }

    private async Task<bool?> CheckIntegrityAsync()
    {
        try
        {
            await host.CheckIntegrityAsync().WaitAsync(IntegrityPatience);
            return true;
        }
        catch (TimeoutException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
