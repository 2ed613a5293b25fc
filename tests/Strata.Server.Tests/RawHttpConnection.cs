using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Strata.Server.Tests;

/// <summary>An HTTP/1.1 request over a bare socket, so a test decides exactly what is sent and when the client goes away.</summary>
internal sealed class RawHttpConnection : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly StringBuilder _received = new();

    public static Task<RawHttpConnection> PostAsync(Uri server, string path, object body)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(body);
        return SendAsync(server, [.. Head("POST", path, $"Content-Type: application/json\r\nContent-Length: {json.Length}"), .. json]);
    }

    /// <summary>Connects and sends <paramref name="bytes"/> as they are.</summary>
    public static async Task<RawHttpConnection> SendAsync(Uri server, byte[] bytes)
    {
        var connection = new RawHttpConnection();
        await connection._socket.ConnectAsync(IPAddress.Loopback, server.Port);
        await connection.SendAsync(bytes);
        return connection;
    }

    /// <summary>A request line and headers (Host included), ending with the blank line.</summary>
    public static byte[] Head(string method, string path, string headers = "") =>
        Encoding.ASCII.GetBytes($"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{(headers.Length > 0 ? headers + "\r\n" : "")}\r\n");

    public async Task SendAsync(byte[] bytes) => await _socket.SendAsync(bytes);

    /// <summary>Reads until the response so far holds <paramref name="count"/> occurrences of <paramref name="text"/>.</summary>
    public async Task ReadUntilAsync(string text, int count)
    {
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (Occurrences(text) < count)
        {
            var read = await _socket.ReceiveAsync(buffer, timeout.Token);
            Assert.True(read > 0, "the server closed the connection early: " + _received);
            _received.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }
    }

    /// <summary>Reads one response with a Content-Length or chunked body (or none) and returns it whole.</summary>
    public async Task<RawResponse> ReadResponseAsync()
    {
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (RawResponse.TryParse(_received.ToString()) is null)
        {
            var read = await _socket.ReceiveAsync(buffer, timeout.Token);
            Assert.True(read > 0, "the server closed the connection before a whole response: " + _received);
            _received.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }
        return RawResponse.TryParse(_received.ToString())!;
    }

    /// <summary>Closes the sending side (FIN) and keeps reading possible.</summary>
    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>Drops the connection with a reset (RST) instead of a FIN, as a crashed or killed client does.</summary>
    public void Reset()
    {
        _socket.LingerState = new LingerOption(true, 0);
        _socket.Close();
    }

    /// <summary>Closes the connection the polite way (FIN), which the server sees only by watching the socket.</summary>
    public void Dispose() => _socket.Dispose();

    private int Occurrences(string text)
    {
        var received = _received.ToString();
        var count = 0;
        for (var at = received.IndexOf(text, StringComparison.Ordinal); at >= 0; at = received.IndexOf(text, at + text.Length, StringComparison.Ordinal))
            count++;
        return count;
    }
}
