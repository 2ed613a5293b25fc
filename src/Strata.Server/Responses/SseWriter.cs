using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Strata.Server.Responses;

/// <summary>Writes server-sent events (<c>data: {json}\n\n</c>) straight into the response's pipe.</summary>
internal sealed class SseWriter : IDisposable
{
    private readonly PipeWriter _pipe;
    private readonly Utf8JsonWriter _json;

    private SseWriter(PipeWriter pipe)
    {
        _pipe = pipe;
        _json = new Utf8JsonWriter(pipe, JsonOutput.Options);
    }

    public static async Task<SseWriter> StartAsync(HttpResponse response)
    {
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        // Proxies such as nginx would otherwise buffer the stream and defeat it.
        response.Headers["X-Accel-Buffering"] = "no";
        await response.StartAsync();
        return new SseWriter(response.BodyWriter);
    }

    /// <summary>Starts an event; write one JSON value to the returned writer, then call <see cref="EndEvent"/>.</summary>
    public Utf8JsonWriter BeginEvent()
    {
        _pipe.Write("data: "u8);
        _json.Reset(_pipe);
        return _json;
    }

    public void EndEvent()
    {
        _json.Flush();
        _pipe.Write("\n\n"u8);
    }

    public void WriteDone() => _pipe.Write("data: [DONE]\n\n"u8);

    public async Task FlushAsync() => await _pipe.FlushAsync();

    public void Dispose() => _json.Dispose();
}
