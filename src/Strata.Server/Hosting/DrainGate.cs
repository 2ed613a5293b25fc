using Microsoft.AspNetCore.Http;
using Strata.Server.Http;
using Strata.Server.Protocol;

namespace Strata.Server.Hosting;

/// <summary>Counts running API requests (<c>/v1/…</c>) and, once the server drains, refuses new ones with 503.</summary>
internal sealed class DrainGate(RequestDelegate next, ServingState state)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/v1"))
        {
            await next(context);
            return;
        }
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
            state.Leave();
        }
    }
}
