using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Strata.Server.Protocol;
using Strata.Server.Responses;

namespace Strata.Server.Http;

/// <summary>
/// Kestrel answers a request it refuses while parsing it (a request line or headers too long, broken framing) by
/// itself, before any middleware runs, with an empty body. This connection middleware gives those answers the OpenAI
/// error body every other error carries. It sees what Kestrel writes to the socket, flush by flush, and rewrites a
/// bare error response that closes the connection: only Kestrel's refusals look like that, since the server's own
/// errors always carry a body.
/// </summary>
internal static class RejectionBodies
{
    public static void Use(ListenOptions listen) => listen.Use(next => connection =>
    {
        var transport = connection.Transport;
        connection.Transport = new DuplexPipe(transport.Input, PipeWriter.Create(new Rewriter(transport.Output)));
        return next(connection);
    });

    /// <summary>The response with a body, or null when <paramref name="flushed"/> is not a bare refusal.</summary>
    private static byte[]? WithBody(ReadOnlySpan<byte> flushed)
    {
        if (!flushed.StartsWith("HTTP/1.1 4"u8) || !flushed.EndsWith("\r\n\r\n"u8)
            || flushed.IndexOf("\r\nContent-Length: 0\r\n"u8) < 0 || flushed.IndexOf("\r\nConnection: close\r\n"u8) < 0)
            return null;
        var statusLine = flushed[..flushed.IndexOf("\r\n"u8)];
        var status = int.Parse(statusLine.Slice(9, 3));
        var reason = Encoding.ASCII.GetString(statusLine[Math.Min(13, statusLine.Length)..]);
        var body = ErrorJson(new ApiError(status, $"The request was refused: {reason}.", ApiError.InvalidRequest));
        var head = Encoding.ASCII.GetString(flushed).Replace("\r\nContent-Length: 0\r\n",
            $"\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n", StringComparison.Ordinal);
        return [.. Encoding.ASCII.GetBytes(head), .. body];
    }

    private static byte[] ErrorJson(ApiError error)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, JsonOutput.Options))
            error.Write(json);
        return buffer.ToArray();
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    /// <summary>The socket's writer as a stream, so that a <see cref="PipeWriter"/> over it hands over whole flushes.</summary>
    private sealed class Rewriter(PipeWriter transport) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var rewritten = WithBody(buffer.Span);
            await transport.WriteAsync(rewritten ?? buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override async Task FlushAsync(CancellationToken cancellationToken) => await transport.FlushAsync(cancellationToken);

        public override void Flush() => FlushAsync().GetAwaiter().GetResult();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                transport.Complete();
            base.Dispose(disposing);
        }
    }
}
