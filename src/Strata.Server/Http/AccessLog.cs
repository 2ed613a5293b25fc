using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Strata.Server.Http;

/// <summary>
/// One log line per API request (<c>/v1/…</c>): status, time, tenant (a digest, never the key), prompt, cached and
/// completion tokens and time to first token. Server errors and refusals (5xx) are warnings.
/// </summary>
internal sealed partial class AccessLog(RequestDelegate next, ILogger<AccessLog> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/v1"))
        {
            await next(context);
            return;
        }
        var start = Stopwatch.GetTimestamp();
        var record = new RequestLog();
        context.Features.Set(record);
        try
        {
            await next(context);
        }
        finally
        {
            var generation = record.Generation;
            var status = context.Response.StatusCode;
            Write(logger, status >= 500 ? LogLevel.Warning : LogLevel.Information, context.Request.Method, context.Request.Path.Value, status,
                Stopwatch.GetElapsedTime(start).TotalMilliseconds, context.TraceIdentifier, Tenant.Of(context),
                generation?.PromptTokens ?? 0, generation?.CachedTokens ?? 0, generation?.CompletionTokens ?? 0,
                generation?.TimeToFirstToken?.TotalMilliseconds);
        }
    }

    [LoggerMessage(EventId = 1, EventName = "Request",
        Message = "{Method} {Path} {Status} {DurationMs:0.#} ms request={RequestId} tenant={Tenant} prompt_tokens={PromptTokens} cached_tokens={CachedTokens} completion_tokens={CompletionTokens} ttft_ms={TtftMs:0.#}")]
    private static partial void Write(ILogger logger, LogLevel level, string method, string? path, int status, double durationMs, string requestId,
        string tenant, int promptTokens, int cachedTokens, int completionTokens, double? ttftMs);
}
