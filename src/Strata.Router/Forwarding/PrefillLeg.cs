using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Strata.Router.Nodes;
using Strata.Router.Routing;

namespace Strata.Router.Forwarding;

/// <summary>
/// The first leg of a disaggregated request (as vLLM's and Dynamo's disaggregated proxies run it): the prompt goes to
/// the best prefill node, which computes it and leases its KV blocks; the lease's URL is what the decode node pulls. A
/// prefill node that fails is marked unreachable and the next is tried; when none succeeds the decode node computes the
/// prompt itself.
/// </summary>
internal sealed class PrefillLeg(IRouteRanking ranking, HttpMessageInvoker client, RouterMetrics metrics, ILogger<PrefillLeg> logger)
{
    /// <returns>The lease's URL on the prefill node; null when the decode node is to compute the prompt.</returns>
    public async Task<Uri?> RunAsync(HttpContext context, IReadOnlyList<ClusterMember> prefillNodes, bool chat, RoutedRequest request)
    {
        var body = await ReadBodyAsync(context.Request, context.RequestAborted);
        foreach (var node in ranking.Rank(prefillNodes, request).Where(n => n.Reachable))
        {
            node.Blocks.Routed(request.Keys);
            node.Begin(request.PromptBlocks, request.Tier);
            try
            {
                using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(node.BaseAddress, chat ? "cluster/prefill/chat" : "cluster/prefill/completions"))
                {
                    Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
                };
                if (context.Request.Headers.Authorization.ToString() is { Length: > 0 } authorization)
                    message.Headers.TryAddWithoutValidation("Authorization", authorization);
                using var response = await client.SendAsync(message, context.RequestAborted);
                if (response.IsSuccessStatusCode)
                {
                    using var lease = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(context.RequestAborted), cancellationToken: context.RequestAborted);
                    return new Uri(node.BaseAddress, $"cluster/leases/{lease.RootElement.GetProperty("lease").GetString()}");
                }
                // The request itself was refused (bad input, over a limit): the decode node will answer it the same way.
                if ((int)response.StatusCode < 500)
                    return null;
                logger.LogWarning("Prefill node {Node} answered {Status}; trying the next", node.Name, (int)response.StatusCode);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                return null; // the client left: closing the connection cancelled the prefill there
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or JsonException or KeyNotFoundException)
            {
                node.Reachable = false;
                logger.LogWarning("Prefill node {Node} failed ({Reason}); trying the next", node.Name, ex.Message);
            }
            finally
            {
                node.End(request.PromptBlocks, request.Tier);
            }
            metrics.PrefillFailed();
        }
        return null;
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellation)
    {
        request.Body.Position = 0;
        using var copy = new MemoryStream();
        await request.Body.CopyToAsync(copy, cancellation);
        request.Body.Position = 0;
        return copy.ToArray();
    }
}
