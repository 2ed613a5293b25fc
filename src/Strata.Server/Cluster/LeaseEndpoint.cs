using Microsoft.AspNetCore.Http;
using Strata.Engine;
using Strata.Server.Http;
using Strata.Server.Protocol;

namespace Strata.Server.Cluster;

/// <summary>
/// <c>GET /cluster/leases/{id}</c>: a decode node pulls a leased prompt's blocks, streamed in the remote store's block
/// format; the lease ends with the pull, whether it completes or the puller goes away. A lease never granted is a 404,
/// one that expired or was pulled already a 410.
/// </summary>
internal sealed class LeaseEndpoint(InferenceEngine engine)
{
    public const string BlocksHeader = "Strata-Kv-Blocks";

    public async Task HandleAsync(HttpContext context, string id)
    {
        var (status, blocks) = await engine.TakeLeaseAsync(id);
        if (blocks is null)
        {
            await ErrorResponse.WriteAsync(context.Response, status == LeaseStatus.Ended
                ? new ApiError(StatusCodes.Status410Gone, $"KV lease {id} has ended: it expired or was pulled already.", ApiError.InvalidRequest, null, "lease_ended")
                : new ApiError(StatusCodes.Status404NotFound, $"No KV lease {id} was granted here.", ApiError.InvalidRequest, null, "lease_not_found"));
            return;
        }
        await using (blocks)
        {
            context.Response.ContentType = "application/octet-stream";
            // A known length: no chunk framing, and the puller sees the end with the last block, not after the release.
            context.Response.ContentLength = blocks.StreamBytes;
            context.Response.Headers[BlocksHeader] = blocks.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await blocks.WriteToAsync(context.Response.BodyWriter, context.RequestAborted);
        }
    }
}
