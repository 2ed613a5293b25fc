using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Strata.Server.Hosting;

/// <summary>
/// Gives each request the body limit of the served context (<see cref="ServingState.MaxRequestBytes"/>): Kestrel is
/// listening before the model has loaded, so its own limit cannot be set from the model.
/// </summary>
internal sealed class RequestBodyLimit(RequestDelegate next, ServingState state)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (state.Engine is not null && context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = state.MaxRequestBytes;
        return next(context);
    }
}
