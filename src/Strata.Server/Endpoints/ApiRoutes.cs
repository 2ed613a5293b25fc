using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Strata.Server.Health;
using Strata.Server.Http;
using Strata.Server.Metrics;
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
        // The endpoints are asked for per request, as they need the engine, which may still be loading when routes are mapped.
        var routes = new (string Path, string[] Methods, RequestDelegate? Handler)[]
        {
            ("/v1/completions", Post, context => Get<CompletionsEndpoint>(context).HandleAsync(context)),
            ("/v1/chat/completions", Post, context => Get<ChatCompletionsEndpoint>(context).HandleAsync(context)),
            ("/v1/models", Read, context => Get<ModelsEndpoint>(context).HandleAsync(context)),
            ("/tokenize", Post, context => Get<TokenizeEndpoint>(context).TokenizeAsync(context)),
            ("/detokenize", Post, context => Get<TokenizeEndpoint>(context).DetokenizeAsync(context)),
            ("/apply-template", Post, context => Get<TokenizeEndpoint>(context).ApplyTemplateAsync(context)),
            // Health checks and the Prometheus exporter map their own endpoints, below.
            ("/health", Read, null),
            ("/health/ready", Read, null),
            ("/metrics", Read, null),
        };
        foreach (var (path, methods, handler) in routes.Where(route => route.Handler is not null))
            app.MapMethods(path, methods, handler!);
        app.MapHealthChecks("/health", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthResponse.WriteAliveAsync })
            .WithMetadata(new HttpMethodMetadata(Read));
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { ResponseWriter = HealthResponse.WriteAsync })
            .WithMetadata(new HttpMethodMetadata(Read));
        app.MapPrometheusScrapingEndpoint("/metrics", meterProvider: null, KvIntegrityMetrics.CheckOnScrape, optionsName: null)
            .WithMetadata(new HttpMethodMetadata(Read));
        // The default fallback pattern skips paths that look like files; this one takes every path.
        app.MapFallback("{**path}", context => Unrouted(context, routes.FirstOrDefault(r => r.Path.Equals(context.Request.Path, StringComparison.OrdinalIgnoreCase)).Methods));
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

    private static T Get<T>(HttpContext context) where T : notnull => context.RequestServices.GetRequiredService<T>();
}
