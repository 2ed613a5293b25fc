using System.Diagnostics;
using System.Net.ServerSentEvents;
using System.Text.Json;

namespace Strata.Cli.ServeBenchmark;

/// <summary>
/// Reads a streamed (server-sent events) response and times it: TTFT at the first chunk with generated text, an
/// inter-token latency for every later one, the end at <c>data: [DONE]</c>. Output tokens come from the usage chunk,
/// or are counted as text chunks when the server sends no usage.
/// </summary>
internal static class ResponseStreamReader
{
    public static async Task<RequestRecord> ReadAsync(Stream body, long startTimestamp, int fallbackPromptTokens, CancellationToken cancellation)
    {
        long? firstText = null;
        var lastText = startTimestamp;
        var gaps = new List<TimeSpan>();
        var textChunks = 0;
        TokenUsage? usage = null;
        var done = false;
        await foreach (var item in SseParser.Create(body).EnumerateAsync(cancellation))
        {
            var now = Stopwatch.GetTimestamp();
            if (item.Data == "[DONE]")
            {
                done = true;
                break;
            }
            StreamChunk chunk;
            try
            {
                chunk = StreamChunk.Parse(item.Data);
            }
            catch (JsonException ex)
            {
                return RequestRecord.Failure($"malformed stream chunk: {ErrorMessage.Shorten(ex.Message)}");
            }
            if (chunk.Error is { } error)
                return RequestRecord.Failure(error);
            if (chunk.Usage is { } reported)
                usage = reported;
            if (string.IsNullOrEmpty(chunk.Text))
                continue;
            if (firstText is null)
                firstText = now;
            else
                gaps.Add(Stopwatch.GetElapsedTime(lastText, now));
            lastText = now;
            textChunks++;
        }
        var end = Stopwatch.GetTimestamp();
        if (!done)
            return RequestRecord.Failure("the stream ended before data: [DONE]");
        if (firstText is not { } first)
            return RequestRecord.Failure("the stream carried no generated text");
        return new RequestRecord
        {
            PromptTokens = usage is { PromptTokens: > 0 } ? usage.PromptTokens : fallbackPromptTokens,
            OutputTokens = usage is { CompletionTokens: > 0 } ? usage.CompletionTokens : textChunks,
            CachedTokens = usage?.CachedTokens,
            TimeToFirstToken = Stopwatch.GetElapsedTime(startTimestamp, first),
            InterTokenLatencies = gaps,
            EndToEnd = Stopwatch.GetElapsedTime(startTimestamp, end),
        };
    }
}
