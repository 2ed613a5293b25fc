using System.Text.Json;
using Strata.Cli.ServeBenchmark;

namespace Strata.Cli.Hardening;

/// <summary>
/// Whether the answer to a valid soak request is whole: HTTP 200 and, for a JSON answer, one choice per <c>n</c> with a
/// finish reason and the usage; for a stream, parseable chunks without an error, a finish reason for every choice and
/// <c>data: [DONE]</c> at the end.
/// </summary>
internal static class AnswerCheck
{
    /// <returns>Null for a whole answer, or what is wrong with it.</returns>
    public static string? Problem(SoakRequest request, ApiResponse answer)
    {
        if (answer.Status is not { } status)
            return answer.TransportError;
        if (status != 200)
            return $"HTTP {status}: {ErrorMessage.FromBody(answer.Body)}";
        try
        {
            return request.Stream ? StreamProblem(answer.Body, request.Choices) : JsonProblem(answer.Body, request.Choices);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return $"malformed answer: {ErrorMessage.Shorten(ex.Message)}";
        }
    }

    private static string? JsonProblem(string body, int choices)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        var finished = root.GetProperty("choices").EnumerateArray().Count(c => IsFinishReason(c.GetProperty("finish_reason")));
        if (finished != choices)
            return $"{finished} of {choices} choices finished";
        return root.GetProperty("usage").GetProperty("completion_tokens").GetInt32() >= 0 ? null : "negative usage";
    }

    private static string? StreamProblem(string body, int choices)
    {
        var events = body.Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal)).Select(l => l[6..]).ToList();
        if (events.Count == 0 || events[^1] != "[DONE]")
            return "the stream did not end with data: [DONE]";
        var finished = new HashSet<int>();
        foreach (var data in events[..^1])
        {
            using var chunk = JsonDocument.Parse(data);
            if (chunk.RootElement.TryGetProperty("error", out var error))
                return $"error in the stream: {ErrorMessage.From(error)}";
            foreach (var choice in chunk.RootElement.GetProperty("choices").EnumerateArray())
            {
                if (IsFinishReason(choice.GetProperty("finish_reason")))
                    finished.Add(choice.GetProperty("index").GetInt32());
            }
        }
        return finished.Count == choices ? null : $"{finished.Count} of {choices} streamed choices finished";
    }

    private static bool IsFinishReason(JsonElement reason) => reason.ValueKind == JsonValueKind.String && reason.GetString() is "stop" or "length";
}
