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
        await using (var json = new Utf8JsonWriter(response.BodyWriter, JsonOutput.Options))
            error.Write(json);
        await response.BodyWriter.FlushAsync();
    }
}
