using System.Text.Json;

namespace Strata.Cli.ServeBenchmark;

/// <summary>Turns what a server sent as an error (an OpenAI <c>error</c> object, a string, a raw body) into one short line.</summary>
internal static class ErrorMessage
{
    private const int MaxLength = 200;

    public static string From(JsonElement error) => error.ValueKind switch
    {
        JsonValueKind.String => Shorten(error.GetString()!),
        JsonValueKind.Object when error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String
            => Shorten(message.GetString()!),
        _ => Shorten(error.GetRawText()),
    };

    /// <summary>The message of an error response body: the OpenAI <c>error</c> object when there is one, else the body.</summary>
    public static string FromBody(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("error", out var error))
                return From(error);
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's HTML page, plain text): the body itself is the message.
        }
        return Shorten(body);
    }

    /// <summary>An exception with its causes, since HttpClient's outer message ("An error occurred while sending the request") rarely says what went wrong.</summary>
    public static string Describe(Exception exception)
    {
        var messages = new List<string>();
        for (var e = exception; e is not null; e = e.InnerException)
        {
            // Inner messages often repeat the outer one ("Connection refused (host:port)" over "Connection refused").
            if (!messages.Any(m => m.Contains(e.Message, StringComparison.Ordinal)))
                messages.Add(e.Message);
        }
        return Shorten(string.Join(": ", messages));
    }

    public static string Shorten(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= MaxLength ? line : line[..MaxLength] + "…";
    }
}
