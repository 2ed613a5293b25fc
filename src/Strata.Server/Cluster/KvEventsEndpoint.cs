using System.Threading.Channels;
using Microsoft.AspNetCore.Http;
using Strata.Engine;
using Strata.Server.Hosting;
using Strata.Server.Responses;

namespace Strata.Server.Cluster;

/// <summary>
/// <c>GET /cluster/kv-events</c>: server-sent events of the node's blocks, first what every tier holds now, then each change,
/// as <c>{"kind":"stored","tier":"pool","keys":[…]}</c> (consecutive events of one kind and tier share a line). A
/// comment line every two idle seconds lets a subscriber tell a quiet node from a dead one. The stream ends when the
/// node begins to drain, so that its routers stop sending it requests at once.
/// </summary>
internal sealed class KvEventsEndpoint(NodeIdentity node, ServingState state)
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(2);

    public async Task HandleAsync(HttpContext context)
    {
        var reader = node.Events.Subscribe();
        try
        {
            using var sse = await SseWriter.StartAsync(context.Response);
            await sse.FlushAsync();
            using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, state.DrainStarted);
            var stopping = ended.Token;
            while (!stopping.IsCancellationRequested)
            {
                if (!reader.TryPeek(out _))
                {
                    using var idle = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                    idle.CancelAfter(Heartbeat);
                    if (!await WaitAsync(reader, idle.Token))
                    {
                        if (stopping.IsCancellationRequested)
                            break;
                        await context.Response.BodyWriter.WriteAsync(": ping\n\n"u8.ToArray(), stopping);
                        continue;
                    }
                }
                WriteBatches(sse, reader);
                await sse.FlushAsync();
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested || state.Draining)
        {
            // The router went away, or the node drains.
        }
        finally
        {
            node.Events.Unsubscribe(reader);
        }
    }

    private static async Task<bool> WaitAsync(ChannelReader<NodeKvEvent> reader, CancellationToken timeout)
    {
        try
        {
            return await reader.WaitToReadAsync(timeout);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static void WriteBatches(SseWriter sse, ChannelReader<NodeKvEvent> reader)
    {
        while (reader.TryRead(out var first))
        {
            var json = sse.BeginEvent();
            json.WriteStartObject();
            json.WriteString("kind", first.Kind == KvEventKind.Stored ? "stored" : "removed");
            json.WriteString("tier", first.Tier);
            json.WriteStartArray("keys");
            json.WriteStringValue(first.Key);
            while (reader.TryPeek(out var next) && next.Kind == first.Kind && next.Tier == first.Tier && reader.TryRead(out next))
                json.WriteStringValue(next.Key);
            json.WriteEndArray();
            json.WriteEndObject();
            sse.EndEvent();
        }
    }
}
