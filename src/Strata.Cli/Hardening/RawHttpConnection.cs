using System.Net.Sockets;
using System.Text;

namespace Strata.Cli.Hardening;

/// <summary>
/// HTTP/1.1 over a bare socket, for what a well-behaved client library cannot do: send broken framing, trickle a body,
/// and leave mid-request with a reset (RST) or a close (FIN).
/// </summary>
internal sealed class RawHttpConnection : IDisposable
{
    private readonly Socket _socket = new(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    private readonly MemoryStream _received = new();

    private RawHttpConnection()
    {
    }

    public static async Task<RawHttpConnection> ConnectAsync(Uri server, CancellationToken cancellation)
    {
        var connection = new RawHttpConnection();
        try
        {
            await connection._socket.ConnectAsync(server.Host, server.Port, cancellation);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>A request head: the request line, <c>Host</c>, the given header lines, and the blank line.</summary>
    public static byte[] Head(Uri server, string method, string path, params string[] headers)
    {
        var head = new StringBuilder($"{method} {path} HTTP/1.1\r\nHost: {server.Authority}\r\n");
        foreach (var header in headers)
            head.Append(header).Append("\r\n");
        return Encoding.UTF8.GetBytes(head.Append("\r\n").ToString());
    }

    public async Task SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellation)
    {
        while (!bytes.IsEmpty)
        {
            var sent = await _socket.SendAsync(bytes, cancellation);
            bytes = bytes[sent..];
        }
    }

    /// <summary>Reads one whole response; null when the server closed the connection (or <paramref name="timeout"/> passed) before it.</summary>
    public async Task<RawHttpResponse?> ReadResponseAsync(TimeSpan timeout, CancellationToken cancellation)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(timeout);
        try
        {
            RawHttpResponse? response;
            while ((response = RawHttpResponse.TryParse(_received.GetBuffer().AsSpan(0, (int)_received.Length), complete: false)) is null)
            {
                if (!await ReceiveAsync(deadline.Token))
                    return RawHttpResponse.TryParse(_received.GetBuffer().AsSpan(0, (int)_received.Length), complete: true);
            }
            return response;
        }
        catch (Exception ex) when (ex is SocketException || (ex is OperationCanceledException && !cancellation.IsCancellationRequested))
        {
            return null;
        }
    }

    /// <summary>Reads until <paramref name="count"/> server-sent events (<c>data:</c> lines) arrived; false if the stream ended first.</summary>
    public async Task<bool> ReadEventsAsync(int count, TimeSpan timeout, CancellationToken cancellation)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(timeout);
        try
        {
            while (Occurrences("data:"u8) < count)
            {
                if (!await ReceiveAsync(deadline.Token))
                    return false;
            }
            return true;
        }
        catch (Exception ex) when (ex is SocketException || (ex is OperationCanceledException && !cancellation.IsCancellationRequested))
        {
            return false;
        }
    }

    /// <summary>Closes the sending side (FIN) and keeps reading possible.</summary>
    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>Leaves: with a reset (RST), as a killed client does, or with a close (FIN).</summary>
    public void Leave(bool reset)
    {
        if (reset)
            _socket.LingerState = new LingerOption(true, 0);
        else
            _socket.Shutdown(SocketShutdown.Both);
        _socket.Close();
    }

    public void Dispose()
    {
        _socket.Dispose();
        _received.Dispose();
    }

    private async Task<bool> ReceiveAsync(CancellationToken cancellation)
    {
        var buffer = new byte[16384];
        var read = await _socket.ReceiveAsync(buffer, cancellation);
        _received.Write(buffer, 0, read);
        return read > 0;
    }

    private int Occurrences(ReadOnlySpan<byte> text)
    {
        var received = _received.GetBuffer().AsSpan(0, (int)_received.Length);
        var count = 0;
        for (var at = received.IndexOf(text); at >= 0; at = received.IndexOf(text))
        {
            count++;
            received = received[(at + text.Length)..];
        }
        return count;
    }
}
