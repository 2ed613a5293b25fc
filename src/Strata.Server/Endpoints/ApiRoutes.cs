using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Strata.Server.Http;
using Strata.Server.Protocol;

namespace Strata.Server.Endpoints;

/// <summary>
/// The server's routes. Every other request gets an OpenAI error: 405 naming the allowed methods on a known path,
/// 404 anywhere else (a last segment with a dot, such as <c>/v1/completions.json</c>, included). Reads answer HEAD as
/// well as GET, since load balancers probe with HEAD.
/// </summary>
internal static class ApiRoutes
{
    private static readonly string[] Read = [HttpMethods.Get, HttpMethods.Head];
    private static readonly string[] Post = [HttpMethods.Post];

    public static void Map(WebApplication app)
    {
        var services = app.Services;
        var tokenize = services.GetRequiredService<TokenizeEndpoint>();
        var routes = new (string Path, string[] Methods, RequestDelegate Handler)[]
        {
            ("/v1/completions", Post, services.GetRequiredService<CompletionsEndpoint>().HandleAsync),
            ("/v1/chat/completions", Post, services.GetRequiredService<ChatCompletionsEndpoint>().HandleAsync),
            ("/v1/models", Read, services.GetRequiredService<ModelsEndpoint>().HandleAsync),
            ("/tokenize", Post, tokenize.TokenizeAsync),
            ("/detokenize", Post, tokenize.DetokenizeAsync),
            ("/apply-template", Post, tokenize.ApplyTemplateAsync),
            ("/metrics", Read, services.GetRequiredService<MetricsEndpoint>().HandleAsync),
            ("/health", Read, Health),
        };
        foreach (var (path, methods, handler) in routes)
            app.MapMethods(path, methods, handler);
        // The default fallback pattern skips paths that look like files; this one takes every path.
        app.MapFallback("{**path}", context => Unrouted(context, routes.FirstOrDefault(r => r.Path.Equals(context.Request.Path, StringComparison.OrdinalIgnoreCase)).Methods));
    }

    private static Task Health(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync("""{"status":"ok"}""");
    }

    private static Task Unrouted(HttpContext context, string[]? allowed)
    {
        var request = $"{context.Request.Method} {context.Request.Path}";
        if (allowed is null)
            return ErrorResponse.WriteAsync(context.Response, new ApiError(StatusCodes.Status404NotFound, $"Unknown route: {request}.", ApiError.InvalidRequest, null, "unknown_url"));
        context.Response.Headers.Allow = string.Join(", ", allowed);
        return ErrorResponse.WriteAsync(context.Response, new ApiError(StatusCodes.Status405MethodNotAllowed,
            $"Method not allowed: {request}; use {string.Join(" or ", allowed)}.", ApiError.InvalidRequest, null, "method_not_allowed"));
    }
}
