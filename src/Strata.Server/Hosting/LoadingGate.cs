using Microsoft.AspNetCore.Http;
using Strata.Server.Http;
using Strata.Server.Protocol;

namespace Strata.Server.Hosting;

/// <summary>While the model loads, only the probes and <c>/metrics</c> are answered; every other route gets 503.</summary>
internal sealed class LoadingGate(RequestDelegate next, ServingState state)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (state.Engine is not null || context.Request.Path.StartsWithSegments("/health") || context.Request.Path.StartsWithSegments("/metrics"))
            return next(context);
        return ErrorResponse.WriteAsync(context.Response, new ApiError(StatusCodes.Status503ServiceUnavailable,
            "The model is still loading.", ApiError.ServerError, null, "model_loading"));
    }
}
