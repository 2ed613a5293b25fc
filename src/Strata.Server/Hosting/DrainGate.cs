using Microsoft.AspNetCore.Http;
using Strata.Server.Http;
using Strata.Server.Protocol;

namespace Strata.Server.Hosting;

/// <summary>
/// Counts running generation requests (<c>/v1/…</c> and a router's <c>/cluster/prefill/…</c>) and, once the server
/// drains, refuses new ones with 503, and the cluster's node and KV event routes too (a router then takes the node as
/// unreachable and sends it nothing more). Lease pulls stay open: decode nodes still fetch what this node computed.
/// </summary>
internal sealed class DrainGate(RequestDelegate next, ServingState state)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        var generation = path.StartsWithSegments("/v1") || path.StartsWithSegments("/cluster/prefill");
        if (!generation && !path.StartsWithSegments("/cluster/node") && !path.StartsWithSegments("/cluster/kv-events"))
        {
            await next(context);
            return;
        }
        if (generation)
            state.Enter();
        try
        {
            if (state.Draining)
            {
                await ErrorResponse.WriteAsync(context.Response, new ApiError(StatusCodes.Status503ServiceUnavailable,
                    "The server is shutting down.", ApiError.ServerError, null, "shutting_down"));
                return;
            }
            await next(context);
        }
        finally
        {
            if (generation)
                state.Leave();
        }
    }
}
