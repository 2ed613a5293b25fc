using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Strata.KvCache.Tests.Remote;

/// <summary>
/// A minimal single-node store that answers like Redis does: it runs every command it has received, and only when
/// no more arrive for a moment writes the replies. It records the largest number of GETs answered together, which is
/// how many values a real server copies before a reader sees its first reply. Understands SET (stored, +OK), GET, and
/// refuses everything else (CLUSTER SLOTS included, as a non-cluster Redis does).
/// </summary>
internal sealed class BatchingStore : IDisposable
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(20);
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentDictionary<string, byte[]> _values = new();
    private readonly ConcurrentBag<Socket> _clients = [];
    private readonly Lock _gate = new();
    private int _largestGetBatch;

    public BatchingStore()
    {
        _listener.Start();
        new Thread(Accept) { IsBackground = true }.Start();
    }

    public string Url => $"redis://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public int LargestGetBatch
    {
        get
        {
            lock (_gate)
                return _largestGetBatch;
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        foreach (var client in _clients)
            client.Dispose();
    }

    private void Accept()
    {
        try
        {
            while (true)
            {
                var client = _listener.AcceptSocket();
                _clients.Add(client);
                new Thread(() => Serve(client)) { IsBackground = true }.Start();
            }
        }
        catch (SocketException)
        {
            // Stopped.
        }
    }

    private void Serve(Socket client)
    {
        var input = new CommandReader(client);
        var replies = new MemoryStream();
        var gets = 0;
        try
        {
            while (true)
            {
                var command = input.Next();
                var name = Encoding.ASCII.GetString(command[0]).ToUpperInvariant();
                switch (name)
                {
                    case "SET":
                        _values[Encoding.ASCII.GetString(command[1])] = command[2];
                        replies.Write("+OK\r\n"u8);
                        break;
                    case "GET" when _values.TryGetValue(Encoding.ASCII.GetString(command[1]), out var value):
                        gets++;
                        replies.Write(Encoding.ASCII.GetBytes($"${value.Length}\r\n"));
                        replies.Write(value);
                        replies.Write("\r\n"u8);
                        break;
                    case "GET":
                        gets++;
                        replies.Write("$-1\r\n"u8);
                        break;
                    default:
                        replies.Write(Encoding.ASCII.GetBytes($"-ERR unknown command '{name}'\r\n"));
                        break;
                }
                if (input.HasBuffered || client.Poll(Quiet, SelectMode.SelectRead))
                    continue;
                lock (_gate)
                    _largestGetBatch = Math.Max(_largestGetBatch, gets);
                gets = 0;
                client.Send(replies.GetBuffer().AsSpan(0, (int)replies.Length));
                replies.SetLength(0);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or EndOfStreamException)
        {
            // The client went away.
        }
        finally
        {
            client.Dispose();
        }
    }

    /// <summary>Reads RESP arrays of bulk strings, the only form clients send commands in.</summary>
    private sealed class CommandReader(Socket socket)
    {
        private readonly byte[] _buffer = new byte[1 << 20];
        private int _start;
        private int _end;

        public bool HasBuffered => _start < _end;

        public byte[][] Next()
        {
            var count = int.Parse(Line("*"));
            var arguments = new byte[count][];
            for (var i = 0; i < count; i++)
            {
                var length = int.Parse(Line("$"));
                arguments[i] = Take(length + 2)[..length];
            }
            return arguments;
        }

        private string Line(string type)
        {
            while (true)
            {
                var newline = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8);
                if (newline >= 0)
                {
                    var line = Encoding.ASCII.GetString(_buffer, _start, newline);
                    _start += newline + 2;
                    return line.StartsWith(type, StringComparison.Ordinal) ? line[1..] : throw new InvalidDataException(line);
                }
                Fill();
            }
        }

        private byte[] Take(int length)
        {
            var taken = new byte[length];
            var copied = 0;
            while (copied < length)
            {
                if (_start == _end)
                    Fill();
                var step = Math.Min(length - copied, _end - _start);
                _buffer.AsSpan(_start, step).CopyTo(taken.AsSpan(copied));
                _start += step;
                copied += step;
            }
            return taken;
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
            var received = socket.Receive(_buffer.AsSpan(_end));
            if (received == 0)
                throw new EndOfStreamException();
            _end += received;
        }
    }
}
