using System.Text.Json;

namespace Strata.Server.Tests;

/// <summary>Reads a server-sent event stream into its <c>data:</c> payloads.</summary>
internal static class Sse
{
    public const string Done = "[DONE]";

    public static async Task<List<string>> ReadDataAsync(HttpResponseMessage response)
    {
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = new List<string>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
                events.Add(line["data: ".Length..]);
            else
                Assert.Equal("", line);
        }
        return events;
    }

    /// <summary>The chunks of a stream that must end with <c>data: [DONE]</c>.</summary>
    public static async Task<List<JsonElement>> ReadChunksAsync(HttpResponseMessage response)
    {
        var events = await ReadDataAsync(response);
        Assert.Equal(Done, events[^1]);
        return events[..^1].Select(e => JsonDocument.Parse(e).RootElement.Clone()).ToList();
    }

    /// <summary>The text each choice streamed, joined; <paramref name="text"/> reads one chunk's piece (<see cref="CompletionText"/> or <see cref="ChatContent"/>).</summary>
    public static string[] JoinChoices(IEnumerable<JsonElement> chunks, int choices, Func<JsonElement, string?> text)
    {
        var joined = new string[choices];
        Array.Fill(joined, "");
        foreach (var choice in chunks.SelectMany(c => c.GetProperty("choices").EnumerateArray()))
            joined[choice.GetProperty("index").GetInt32()] += text(choice);
        return joined;
    }

    public static string? CompletionText(JsonElement choice) => choice.GetProperty("text").GetString();

    public static string? ChatContent(JsonElement choice) =>
        choice.GetProperty("delta").TryGetProperty("content", out var content) ? content.GetString() : null;
}
