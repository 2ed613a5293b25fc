using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Strata.Server.Protocol;
using Strata.Server.Responses;

namespace Strata.Server.Http;

/// <summary>Answers a request with an OpenAI error body.</summary>
internal static class ErrorResponse
{
    public static async Task WriteAsync(HttpResponse response, ApiError error)
    {
        response.StatusCode = error.Status;
        response.ContentType = "application/json";
        if (error.RetryAfter is { } retryAfter)
            response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using (var json = new Utf8JsonWriter(response.BodyWriter, JsonOutput.Options))
            error.Write(json);
        await response.BodyWriter.FlushAsync();
    }
}
