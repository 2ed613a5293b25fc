using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Strata.Server.Tests;

/// <summary>An HTTP/1.1 request over a bare socket, so a test decides exactly when the client goes away.</summary>
internal sealed class RawHttpConnection : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly StringBuilder _received = new();

    public static async Task<RawHttpConnection> PostAsync(Uri server, string path, object body)
    {
        var connection = new RawHttpConnection();
        await connection._socket.ConnectAsync(IPAddress.Loopback, server.Port);
        var json = JsonSerializer.SerializeToUtf8Bytes(body);
        var head = $"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.Port}\r\nContent-Type: application/json\r\nContent-Length: {json.Length}\r\n\r\n";
        await connection._socket.SendAsync(Encoding.ASCII.GetBytes(head).Concat(json).ToArray());
        return connection;
    }

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
