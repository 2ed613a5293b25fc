using System.Buffers.Text;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Strata.KvCache.Remote;

/// <summary>
/// Reads RESP2 replies from a socket through a buffer, never waiting past the current deadline: every wait for
/// bytes is a poll bounded by the time left, so a silent server costs at most the operation timeout. Over TLS the
/// bytes come through <paramref name="tls"/>, whose reads are bounded by the socket's receive timeout instead (a poll
/// would not see what the TLS stream has already decrypted).
/// </summary>
internal sealed class RespReader(Socket socket, Stream? tls = null)
{
    private const int MaxLine = 4096;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private long _deadline;

    /// <summary>Gives the reads that follow until <paramref name="timeout"/> from now.</summary>
    public void SetDeadline(TimeSpan timeout) => _deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);

    public RespHeader ReadHeader()
    {
        var line = ReadLine();
        if (line.Length == 0)
            throw new InvalidDataException("RESP: empty reply line");
        var body = line[1..];
        return line[0] switch
        {
            (byte)'+' => new RespHeader(RespKind.SimpleString, 0, Encoding.UTF8.GetString(body)),
            (byte)'-' => new RespHeader(RespKind.Error, 0, Encoding.UTF8.GetString(body)),
            (byte)':' => new RespHeader(RespKind.Integer, ParseNumber(body), null),
            (byte)'$' => new RespHeader(RespKind.BulkString, ParseNumber(body), null),
            (byte)'*' => new RespHeader(RespKind.Array, ParseNumber(body), null),
            _ => throw new InvalidDataException($"RESP: unexpected reply type '{(char)line[0]}'"),
        };
    }

    public RespReply ReadReply()
    {
        var header = ReadHeader();
        switch (header.Kind)
        {
            case RespKind.BulkString when !header.IsNull:
                var bulk = new byte[checked((int)header.Number)];
                ReadExactly(bulk);
                ReadLineEnd();
                return new RespReply(RespKind.BulkString, Bulk: bulk);
            case RespKind.Array when !header.IsNull:
                var items = new RespReply[checked((int)header.Number)];
                for (var i = 0; i < items.Length; i++)
                    items[i] = ReadReply();
                return new RespReply(RespKind.Array, Items: items);
            default:
                return new RespReply(header.Kind, header.Text, header.Kind == RespKind.Integer ? header.Number : 0);
        }
    }

    public void ReadExactly(Span<byte> destination)
    {
        while (destination.Length > 0)
        {
            if (_start == _end)
            {
                // Large values go straight from the socket to their destination, with no copy through the buffer.
                if (destination.Length >= _buffer.Length / 2)
                {
                    var received = Receive(destination);
                    destination = destination[received..];
                    continue;
                }
                Fill();
            }
            var count = Math.Min(destination.Length, _end - _start);
            _buffer.AsSpan(_start, count).CopyTo(destination);
            _start += count;
            destination = destination[count..];
        }
    }

    public void Skip(long count)
    {
        while (count > 0)
        {
            if (_start == _end)
                Fill();
            var step = (int)Math.Min(count, _end - _start);
            _start += step;
            count -= step;
        }
    }

    /// <summary>Consumes the CRLF that ends a bulk string.</summary>
    public void ReadLineEnd()
    {
        Span<byte> end = stackalloc byte[2];
        ReadExactly(end);
        if (end[0] != '\r' || end[1] != '\n')
            throw new InvalidDataException("RESP: bulk string not followed by CRLF");
    }

    private ReadOnlySpan<byte> ReadLine()
    {
        var scanned = 0;
        while (true)
        {
            var available = _buffer.AsSpan(_start, _end - _start);
            var newline = available[scanned..].IndexOf("\r\n"u8);
            if (newline >= 0)
            {
                var line = available[..(scanned + newline)];
                _start += line.Length + 2;
                return line;
            }
            if (available.Length > MaxLine)
                throw new InvalidDataException("RESP: reply line too long");
            scanned = Math.Max(0, available.Length - 1);
            Fill();
        }
    }

    private void Fill()
    {
        if (_start == _end)
            _start = _end = 0;
        else if (_end == _buffer.Length)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }
        _end += Receive(_buffer.AsSpan(_end));
    }

    private int Receive(Span<byte> destination)
    {
        var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), _deadline);
        if (left <= TimeSpan.Zero || (tls is null && !socket.Poll(left, SelectMode.SelectRead)))
            throw new TimeoutException("the store did not answer in time");
        var received = tls is null ? socket.Receive(destination) : ReceiveTls(destination, left);
        if (received == 0)
            throw new IOException("the store closed the connection");
        return received;
    }

    private int ReceiveTls(Span<byte> destination, TimeSpan left)
    {
        socket.ReceiveTimeout = Math.Max(1, (int)Math.Ceiling(left.TotalMilliseconds));
        try
        {
            return tls!.Read(destination);
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.TimedOut })
        {
            throw new TimeoutException("the store did not answer in time", e);
        }
    }

    private static long ParseNumber(ReadOnlySpan<byte> text) =>
        Utf8Parser.TryParse(text, out long value, out var consumed) && consumed == text.Length
            ? value
            : throw new InvalidDataException("RESP: malformed number");
}
