using Microsoft.AspNetCore.Http.Features;

namespace Strata.Router.Forwarding;

/// <summary>
/// Stands in for the connection's lifetime feature while a request is forwarded: YARP aborts the client's connection
/// when a node fails mid-response, but the router would rather end a stream with an error event the client can read,
/// so the abort is only recorded, and <see cref="Release"/> lets the router decide.
/// </summary>
internal sealed class DeferredAbort(IHttpRequestLifetimeFeature connection) : IHttpRequestLifetimeFeature
{
    public bool Requested { get; private set; }

    public CancellationToken RequestAborted
    {
        get => connection.RequestAborted;
        set => connection.RequestAborted = value;
    }

    public void Abort() => Requested = true;

    /// <summary>Aborts the connection after all (the response cannot be ended cleanly).</summary>
    public void Release() => connection.Abort();
}
