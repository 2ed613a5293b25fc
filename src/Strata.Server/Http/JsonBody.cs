using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Strata.Server.Protocol;

namespace Strata.Server.Http;

/// <summary>Reads a request body that must be one JSON object, without repeated names, whose strings are all valid Unicode.</summary>
internal static class JsonBody
{
    // A repeated name would be read as one value by this server and as another by a proxy in front of it.
    private static readonly JsonDocumentOptions Options = new() { AllowDuplicateProperties = false };

    public static async Task<JsonDocument> ReadObjectAsync(HttpRequest request)
    {
        JsonDocument document;
        try
        {
            // No cancellation token: a read cancelled mid-way would still be pending when Kestrel drains the body after
            // the request, which it reports as its own failure. A client that leaves ends the read anyway.
            document = await JsonDocument.ParseAsync(request.Body, Options);
        }
        catch (JsonException ex)
        {
            throw ApiException.BadRequest($"We could not parse the JSON body of your request: {ex.Message}");
        }
        catch (IOException ex) when (ex is not (BadHttpRequestException or ConnectionResetException) && !request.HttpContext.RequestAborted.IsCancellationRequested)
        {
            // Kestrel reports most broken framing as a BadHttpRequestException (with its status), but some (a chunk
            // size that overflows) as a plain I/O error; either way it is the client's.
            throw ApiException.BadRequest($"The request body is not valid HTTP/1.1 framing: {ex.Message}");
        }
        try
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw ApiException.BadRequest("The request body must be a JSON object.");
            CheckStrings(document.RootElement);
            return document;
        }
        catch
        {
            document.Dispose();
            throw;
        }
    }

    // JSON may escape half a surrogate pair ("\ud800"), which no .NET string accepts: reading it later would throw
    // deep inside prompt building, so every string is read once here, where it is still the client's error.
    private static void CheckStrings(JsonElement element)
    {
        try
        {
            Visit(element);
        }
        catch (InvalidOperationException ex)
        {
            throw ApiException.BadRequest($"The request holds a string that is not valid Unicode: {ex.Message}");
        }
    }

    private static void Visit(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                element.GetString();
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                    Visit(item);
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    _ = property.Name;
                    Visit(property.Value);
                }
                break;
        }
    }
}
