using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Strata.Engine;
using Strata.Server.Hosting;
using Strata.Server.Protocol;

namespace Strata.Server.Cluster;

/// <summary>
/// On a decode node, before a generation request that names a lease (<see cref="LeaseHeader"/>, set by the router):
/// pulls the leased blocks from the prefill node into the engine's peer tier, where the request's admission finds them
/// as a cached prefix, and drops them when the request ends. A pull that fails (the prefill node died, the lease ended,
/// a block did not verify) keeps what arrived intact and the node computes the rest itself; <see cref="ResultHeader"/>
/// tells the router what came.
/// </summary>
/// <remarks>Runs after the loading gate, so the engine has loaded by the time a request gets here.</remarks>
internal sealed class HandoffReceiver(RequestDelegate next, ServingState serving, HttpClient http, ILogger<HandoffReceiver> logger)
{
    public const string LeaseHeader = "Strata-Kv-Lease";
    public const string ResultHeader = "Strata-Kv-Handoff";
    private static readonly TimeSpan PullTimeout = TimeSpan.FromSeconds(30);

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Headers[LeaseHeader].ToString() is not { Length: > 0 } lease)
        {
            await next(context);
            return;
        }
        var engine = serving.LoadedEngine;
        if (!engine.Options.ReceivesHandoffs)
            throw ApiException.BadRequest($"This node does not take KV hand-offs (it is not a decode node): drop the {LeaseHeader} header.");
        if (!Uri.TryCreate(lease, UriKind.Absolute, out var source) || source.Scheme is not ("http" or "https")
            || !source.AbsolutePath.StartsWith("/cluster/leases/", StringComparison.Ordinal))
            throw ApiException.BadRequest($"The {LeaseHeader} header must be a prefill node's lease URL (http://host:port/cluster/leases/ID).");
        using var handed = await PullAsync(engine, source, context.RequestAborted);
        context.Response.Headers[ResultHeader] = string.Create(CultureInfo.InvariantCulture,
            $"blocks={handed.Count}; bytes={handed.Bytes}; seconds={handed.Elapsed.TotalSeconds:0.######}");
        if (handed.Failure is { } failure)
            logger.LogWarning("KV hand-off from {Source} stopped after {Blocks} blocks ({Failure}); computing the rest here", source.Authority, handed.Count, failure);
        await next(context);
    }

    private async Task<HandedOffBlocks> PullAsync(InferenceEngine engine, Uri source, CancellationToken clientAborted)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(clientAborted);
        timeout.CancelAfter(PullTimeout);
        try
        {
            using var response = await http.GetAsync(source, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
                return HandedOffBlocks.None($"the prefill node answered {(int)response.StatusCode}");
            await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
            return await engine.ReceiveBlocksAsync(stream, timeout.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !clientAborted.IsCancellationRequested))
        {
            return HandedOffBlocks.None(ex.Message);
        }
    }
}
