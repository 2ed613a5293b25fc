using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Strata.Server.Protocol;

namespace Strata.Server.Http;

/// <summary>
/// Turns every exception into an OpenAI error response: <see cref="ApiException"/>s carry their own status, bad HTTP
/// (an oversized body, or one cut short by the client's FIN) keeps Kestrel's status, a client that went away otherwise
/// (a reset, say) is counted as such and logged at debug level, and anything unexpected is logged and answered with a 500.
/// </summary>
internal sealed class ErrorBoundary(RequestDelegate next, ILogger<ErrorBoundary> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception ex) when (ex is not (ApiException or BadHttpRequestException) && ClientAbort.Explains(ex, context))
        {
            logger.LogDebug("{Method} {Path}: the client went away ({Reason})", context.Request.Method, context.Request.Path, ex.Message);
            if (!context.Response.HasStarted)
                context.Response.StatusCode = ClientAbort.Status;
            // Ends the connection now, before Kestrel tries to drain a body the reset left half-read (and logs that as its failure).
            context.Abort();
        }
        catch (Exception ex)
        {
            var error = ex switch
            {
                ApiException api => api.Error,
                BadHttpRequestException bad => new ApiError(bad.StatusCode, bad.Message, ApiError.InvalidRequest),
                _ => null,
            };
            if (error is null)
            {
                logger.LogError(ex, "{Method} {Path} failed", context.Request.Method, context.Request.Path);
                error = new ApiError(StatusCodes.Status500InternalServerError, "The server had an error while processing your request.", ApiError.ServerError);
            }
            if (context.Response.HasStarted)
            {
                // A stream is under way; its status is sent, so the connection is all that is left to end.
                context.Abort();
                return;
            }
            context.Response.Clear();
            await ErrorResponse.WriteAsync(context.Response, error);
        }
    }
}
