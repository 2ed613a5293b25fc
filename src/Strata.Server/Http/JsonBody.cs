using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Strata.Server.Protocol;

namespace Strata.Server.Http;

/// <summary>Reads a request body that must be one JSON object.</summary>
internal static class JsonBody
{
    public static async Task<JsonDocument> ReadObjectAsync(HttpRequest request)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, default, request.HttpContext.RequestAborted);
        }
        catch (JsonException ex)
        {
            throw ApiException.BadRequest($"We could not parse the JSON body of your request: {ex.Message}");
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw ApiException.BadRequest("The request body must be a JSON object.");
        }
        return document;
    }
}
