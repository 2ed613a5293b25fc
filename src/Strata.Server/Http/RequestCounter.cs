using Microsoft.AspNetCore.Http;
using Strata.Server.Metrics;

namespace Strata.Server.Http;

/// <summary>Counts API requests (<c>/v1/…</c>) by the status they were answered with; probes and scrapes are not counted.</summary>
internal sealed class RequestCounter(RequestDelegate next, ServerMetrics metrics)
{
    public async Task InvokeAsync(HttpContext context)
    {
        await next(context);
        if (context.Request.Path.StartsWithSegments("/v1"))
            metrics.CountRequest(context.Response.StatusCode);
    }
}
