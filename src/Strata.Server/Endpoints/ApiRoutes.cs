using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Strata.Server.Http;
using Strata.Server.Protocol;

namespace Strata.Server.Endpoints;

/// <summary>The server's routes.</summary>
internal static class ApiRoutes
{
    public static void Map(WebApplication app)
    {
        // The endpoints are asked for per request, as they need the engine, which may still be loading when routes are mapped.
        app.MapPost("/v1/completions", context => Get<CompletionsEndpoint>(context).HandleAsync(context));
        app.MapPost("/v1/chat/completions", context => Get<ChatCompletionsEndpoint>(context).HandleAsync(context));
        app.MapGet("/v1/models", context => Get<ModelsEndpoint>(context).HandleAsync(context));
        app.MapPost("/tokenize", context => Get<TokenizeEndpoint>(context).TokenizeAsync(context));
        app.MapPost("/detokenize", context => Get<TokenizeEndpoint>(context).DetokenizeAsync(context));
        app.MapPost("/apply-template", context => Get<TokenizeEndpoint>(context).ApplyTemplateAsync(context));
        app.MapFallback(context => ErrorResponse.WriteAsync(context.Response, new ApiError(StatusCodes.Status404NotFound,
            $"Unknown route: {context.Request.Method} {context.Request.Path}.", ApiError.InvalidRequest, null, "unknown_url")));
    }

    private static T Get<T>(HttpContext context) where T : notnull => context.RequestServices.GetRequiredService<T>();
}
