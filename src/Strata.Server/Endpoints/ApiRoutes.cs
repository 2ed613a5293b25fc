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
        var services = app.Services;
        app.MapPost("/v1/completions", services.GetRequiredService<CompletionsEndpoint>().HandleAsync);
        app.MapPost("/v1/chat/completions", services.GetRequiredService<ChatCompletionsEndpoint>().HandleAsync);
        app.MapGet("/v1/models", services.GetRequiredService<ModelsEndpoint>().HandleAsync);
        var tokenize = services.GetRequiredService<TokenizeEndpoint>();
        app.MapPost("/tokenize", tokenize.TokenizeAsync);
        app.MapPost("/detokenize", tokenize.DetokenizeAsync);
        app.MapPost("/apply-template", tokenize.ApplyTemplateAsync);
        app.MapFallback(context => ErrorResponse.WriteAsync(context.Response, new ApiError(StatusCodes.Status404NotFound,
            $"Unknown route: {context.Request.Method} {context.Request.Path}.", ApiError.InvalidRequest, null, "unknown_url")));
    }
}
