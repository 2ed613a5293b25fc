using System.Buffers.Text;
using System.Net.Sockets;
using System.Text;

namespace Strata.KvCache.Remote;

/// <summary>
/// Writes RESP2 commands (arrays of bulk strings) to a socket through a buffer, so a pipeline of small commands
/// leaves in one send; large values bypass the buffer. Sends are bounded by the socket's send timeout. Over TLS the
/// bytes go through <paramref name="tls"/>.
/// </summary>
internal sealed class RespWriter(Socket socket, Stream? tls = null)
{
    private const int MaxPrefix = 24; // type byte, a 64-bit number and CRLF
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _length;

    public void WriteArrayHeader(int count) => WritePrefixed((byte)'*', count);

    public void WriteBulkHeader(int length) => WritePrefixed((byte)'$', length);

    public void WriteBulk(ReadOnlySpan<byte> value)
    {
        WriteBulkHeader(value.Length);
        WriteRaw(value);
        WriteLineEnd();
    }

    public void WriteBulk(string text)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        if (length > _buffer.Length - MaxPrefix)
        {
            WriteBulk(Encoding.UTF8.GetBytes(text));
            return;
        }
        WriteBulkHeader(length);
        Reserve(length + 2);
        _length += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_length));
        WriteLineEnd();
    }

    public void WriteBulk(long number)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(number, digits, out var written);
        WriteBulk(digits[..written]);
    }

    /// <summary>Bytes inside a bulk string whose header was written with <see cref="WriteBulkHeader"/>.</summary>
    public void WriteRaw(ReadOnlySpan<byte> data)
    {
        if (data.Length <= _buffer.Length - _length)
        {
            data.CopyTo(_buffer.AsSpan(_length));
            _length += data.Length;
            return;
        }
        Flush();
        if (data.Length >= _buffer.Length)
            SendAll(data);
        else
        {
            data.CopyTo(_buffer);
            _length = data.Length;
        }
    }

    public void WriteLineEnd()
    {
        Reserve(2);
        _buffer[_length++] = (byte)'\r';
        _buffer[_length++] = (byte)'\n';
    }

    public void Flush()
    {
        SendAll(_buffer.AsSpan(0, _length));
        _length = 0;
    }

    private void WritePrefixed(byte type, long number)
    {
        Reserve(MaxPrefix);
        _buffer[_length++] = type;
        Utf8Formatter.TryFormat(number, _buffer.AsSpan(_length), out var written);
        _length += written;
        WriteLineEnd();
    }

    private void Reserve(int bytes)
    {
        if (_buffer.Length - _length < bytes)
            Flush();
    }

    private void SendAll(ReadOnlySpan<byte> data)
    {
        if (tls is not null)
        {
            tls.Write(data);
            return;
        }
        while (data.Length > 0)
            data = data[socket.Send(data)..];
    }
}
