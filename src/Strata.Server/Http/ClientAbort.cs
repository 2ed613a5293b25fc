using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;

namespace Strata.Server.Http;

/// <summary>
/// A client that went away mid-request: nobody reads the answer, and it is not the server's failure. Such requests
/// are counted under nginx's "client closed request" status, apart from the answers that were sent.
/// </summary>
internal static class ClientAbort
{
    public const int Status = 499;

    /// <summary>
    /// Whether <paramref name="exception"/> means the client left: its connection was aborted, or reset (RST) while
    /// its body was still arriving, which Kestrel reports before it cancels the request.
    /// </summary>
    public static bool Explains(Exception exception, HttpContext context) =>
        context.RequestAborted.IsCancellationRequested || exception is ConnectionResetException;
}
