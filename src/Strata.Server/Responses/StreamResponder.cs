using Microsoft.AspNetCore.Http;
using Strata.Engine.Requests;
using Strata.Server.Generation;
using Strata.Server.Protocol;

namespace Strata.Server.Responses;

/// <summary>
/// Streams a generation as server-sent events: a chunk per update that carries text, logprobs or a finish reason,
/// optionally a usage chunk, then <c>data: [DONE]</c>. Events that arrived together are flushed together.
/// </summary>
internal static class StreamResponder
{
    public static async Task WriteAsync(HttpResponse response, ActiveGeneration generation, IResponseFormat format, ResponseHeader header, bool includeUsage)
    {
        using var sse = await SseWriter.StartAsync(response);
        if (format.OpensChoices)
        {
            for (var choice = 0; choice < generation.Choices; choice++)
                WriteChunk(sse, format, header, json => format.WriteOpening(json, choice));
            await sse.FlushAsync();
        }
        var completionTokens = 0;
        while (await generation.WaitToReadAsync())
        {
            while (generation.TryRead(out var update))
            {
                switch (update.Finish)
                {
                    case FinishReason.Cancelled:
                        // The client is gone or the server is stopping: either way nobody waits for the rest.
                        return;
                    case FinishReason.Error:
                        WriteError(sse);
                        await sse.FlushAsync();
                        return;
                }
                completionTokens += update.CompletionTokens;
                if (!update.IsEmpty)
                    WriteChunk(sse, format, header, json => format.WriteDelta(json, update));
            }
            await sse.FlushAsync();
        }
        if (includeUsage)
            WriteUsageChunk(sse, format, header, generation, completionTokens);
        sse.WriteDone();
        await sse.FlushAsync();
    }

    private static void WriteChunk(SseWriter sse, IResponseFormat format, ResponseHeader header, Action<System.Text.Json.Utf8JsonWriter> writeChoice)
    {
        var json = sse.BeginEvent();
        header.WriteStart(json, format.ChunkObjectName);
        json.WriteStartArray("choices");
        writeChoice(json);
        json.WriteEndArray();
        json.WriteEndObject();
        sse.EndEvent();
    }

    private static void WriteUsageChunk(SseWriter sse, IResponseFormat format, ResponseHeader header, ActiveGeneration generation, int completionTokens)
    {
        var json = sse.BeginEvent();
        header.WriteStart(json, format.ChunkObjectName);
        json.WriteStartArray("choices");
        json.WriteEndArray();
        ResponseHeader.WriteUsage(json, generation, completionTokens);
        json.WriteEndObject();
        sse.EndEvent();
    }

    // Headers are long gone, so a failure mid-stream can only be reported in-band, as vLLM and OpenAI do.
    private static void WriteError(SseWriter sse)
    {
        var error = new ApiError(StatusCodes.Status500InternalServerError, "The engine failed while generating this response.", ApiError.ServerError);
        error.Write(sse.BeginEvent());
        sse.EndEvent();
    }
}
