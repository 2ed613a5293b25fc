using Microsoft.AspNetCore.Http;
using Strata.Server.Cluster;
using Yarp.ReverseProxy.Forwarder;

namespace Strata.Router.Forwarding;

/// <summary>
/// YARP's default request transform, plus the KV lease the decode node is to pull (the decode leg of a disaggregated
/// request). A lease header from the client is never passed on: only the router names leases.
/// </summary>
internal sealed class LeaseTransformer(Uri? lease) : HttpTransformer
{
    public static readonly LeaseTransformer None = new(null);

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        proxyRequest.Headers.Remove(HandoffReceiver.LeaseHeader);
        if (lease is not null)
            proxyRequest.Headers.TryAddWithoutValidation(HandoffReceiver.LeaseHeader, lease.ToString());
    }
}
