using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Strata.Engine.Requests;
using Strata.Router.Nodes;
using Strata.Router.Routing;
using Strata.Server.Cluster;
using Strata.Server.Http;
using Strata.Server.Protocol;
using Yarp.ReverseProxy.Forwarder;

namespace Strata.Router.Forwarding;

/// <summary>
/// Sends an API request to the node the ranking puts first, through YARP (streaming, headers and the client's
/// disconnect, which closes the node's connection and so frees the request's blocks there). A node that fails before
/// the response starts is marked unreachable and the request goes to the next node; one that fails mid-stream ends
/// the client's stream with an OpenAI error event. With prefill nodes in the cluster, a generation whose prompt the
/// chosen decode node would mostly have to compute is first computed on a prefill node (<see cref="PrefillLeg"/>), and
/// the decode node is sent the lease on its blocks.
/// </summary>
internal sealed class GenerationProxy(
    ClusterView cluster, IRouteRanking ranking, PrefillLeg prefill, RouterOptions options, IHttpForwarder forwarder, HttpMessageInvoker client, RouterMetrics metrics,
    ILogger<GenerationProxy> logger)
{
    private const int MaxBodyBytes = 64 << 20;

    private static readonly ForwarderRequestConfig Config = new() { ActivityTimeout = TimeSpan.FromMinutes(10) };

    public Task CompletionsAsync(HttpContext context) => ForwardAsync(context, chat: false);

    public Task ChatAsync(HttpContext context) => ForwardAsync(context, chat: true);

    /// <summary>Requests any node answers alike (<c>/v1/models</c>, <c>/tokenize</c>).</summary>
    public Task AnyNodeAsync(HttpContext context) => ForwardAsync(context, chat: null);

    private async Task ForwardAsync(HttpContext context, bool? chat)
    {
        var request = chat is { } isChat ? await DescribeAsync(context, isChat) : null;
        var ranked = ranking.Rank(cluster.Serving, request);
        Uri? lease = null;
        if (chat is { } leg && request is not null && ShouldDisaggregate(ranked[0], request))
        {
            lease = await prefill.RunAsync(context, cluster.Prefill, leg, request);
            if (context.RequestAborted.IsCancellationRequested)
                return;
        }
        for (var attempt = 0; attempt < ranked.Count; attempt++)
        {
            if (attempt > 0)
                metrics.Retried();
            var transform = lease is not null && ranked[attempt].Role == "decode" ? new LeaseTransformer(lease) : LeaseTransformer.None;
            if (!await SendAsync(context, ranked[attempt], request, transform))
                return;
        }
        await ErrorResponse.WriteAsync(context.Response, new ApiError(StatusCodes.Status503ServiceUnavailable,
            "No node of the cluster could take the request.", ApiError.ServerError, null, "no_node_available"));
    }

    /// <summary>
    /// Dynamo's rule: a prompt goes to a prefill node unless the decode node would compute fewer than the threshold's
    /// tokens of it (short, or mostly cached there).
    /// </summary>
    private bool ShouldDisaggregate(ClusterMember decode, RoutedRequest request)
    {
        if (decode.Role != "decode" || decode.Identity is not { } identity || !cluster.Prefill.Any(n => n.Reachable))
            return false;
        var uncached = request.PromptTokens - decode.Blocks.CachedBlocks(request.Keys) * identity.BlockSize;
        var remote = uncached >= options.DisaggregationThreshold;
        metrics.Disaggregate(remote);
        return remote;
    }

    private async Task<RoutedRequest?> DescribeAsync(HttpContext context, bool chat)
    {
        // Buffered so that the body can be read here for its prompt and sent again to another node on a retry.
        context.Request.EnableBuffering(bufferThreshold: 1 << 20, bufferLimit: MaxBodyBytes);
        try
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            if (body.RootElement.ValueKind != JsonValueKind.Object)
                return null;
            var request = cluster.Describe(body.RootElement, chat, tenant: "");
            // The nodes get the prompt's ids, so none tokenizes it again; ids a client put there itself are dropped.
            if (request?.TokensForNode is not null || body.RootElement.TryGetProperty(RoutedTokens.Field, out _))
                ReplaceBody(context.Request, RoutedTokens.Rewrite(body.RootElement, request?.TokensForNode));
            return request;
        }
        catch (JsonException)
        {
            return null; // the node answers a malformed body with its own error
        }
    }

    private static void ReplaceBody(HttpRequest request, byte[] body)
    {
        request.Body = new MemoryStream(body, writable: false);
        request.Headers.TransferEncoding = default;
        request.ContentLength = body.Length;
    }

    /// <returns>True when the node failed before answering, so the request may go to another.</returns>
    private async Task<bool> SendAsync(HttpContext context, ClusterMember node, RoutedRequest? request, HttpTransformer transform)
    {
        var blocks = 0;
        var tier = request?.Tier ?? ServiceTier.Default;
        if (request is not null)
        {
            var cached = node.Blocks.CachedBlocks(request.Keys);
            metrics.Routed(request.PromptBlocks, cached);
            blocks = request.Blocks - (int)cached; // the cached prefix is shared, not held again
            // What the node will hold once it computed the prompt, so that requests for the same prefix arriving before
            // its KV events follow it there (Dynamo's router does the same); the node's removal events correct it.
            node.Blocks.Routed(request.Keys);
        }
        node.Begin(blocks, tier);
        var connection = context.Features.GetRequiredFeature<IHttpRequestLifetimeFeature>();
        var deferred = new DeferredAbort(connection);
        context.Features.Set<IHttpRequestLifetimeFeature>(deferred);
        try
        {
            if (context.Request.Body.CanSeek)
                context.Request.Body.Position = 0;
            var error = await forwarder.SendAsync(context, node.BaseAddress.ToString(), client, Config, transform);
            if (error == ForwarderError.None)
                return false;
            if (context.RequestAborted.IsCancellationRequested)
            {
                deferred.Release();
                return false;
            }
            logger.LogWarning("Node {Node} failed a request ({Error}): {Reason}", node.Name, error,
                context.Features.Get<IForwarderErrorFeature>()?.Exception?.Message);
            if (!context.Response.HasStarted)
            {
                node.Reachable = false;
                context.Response.Clear();
                context.Response.StatusCode = StatusCodes.Status200OK;
                return true;
            }
            if (context.Response.ContentType?.StartsWith("text/event-stream", StringComparison.Ordinal) == true)
            {
                metrics.StreamFailed();
                await WriteStreamErrorAsync(context.Response, node);
            }
            else
            {
                deferred.Release();
            }
            return false;
        }
        finally
        {
            context.Features.Set(connection);
            node.End(blocks, tier);
        }
    }

    private static async Task WriteStreamErrorAsync(HttpResponse response, ClusterMember node)
    {
        var error = new ApiError(StatusCodes.Status502BadGateway, $"The node serving this request ({node.Name}) failed mid-stream.",
            ApiError.ServerError, null, "node_failed");
        await response.BodyWriter.WriteAsync("data: "u8.ToArray());
        await using (var json = new Utf8JsonWriter(response.BodyWriter))
            error.Write(json);
        await response.BodyWriter.WriteAsync("\n\ndata: [DONE]\n\n"u8.ToArray());
        await response.BodyWriter.FlushAsync();
    }
}
