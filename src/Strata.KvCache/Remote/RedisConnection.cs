using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Strata.KvCache.Remote;

/// <summary>
/// One TCP connection to a store server speaking RESP2. Not thread-safe: one operation (or pipeline) at a time.
/// After any failure the stream's position in the reply sequence is unknown, so a failed connection is discarded,
/// never reused.
/// </summary>
internal sealed class RedisConnection : IDisposable
{
    private readonly Socket _socket;
    private TimeSpan _timeout;

    private RedisConnection(RemoteEndpoint endpoint, Socket socket, TimeSpan timeout)
    {
        Endpoint = endpoint;
        _socket = socket;
        _timeout = timeout;
        Reader = new RespReader(socket);
        Writer = new RespWriter(socket);
    }

    public RemoteEndpoint Endpoint { get; }

    public RespReader Reader { get; }

    public RespWriter Writer { get; }

    /// <summary>Connects within <paramref name="connectTimeout"/>; operations then wait at most <paramref name="timeout"/>.</summary>
    public static RedisConnection Open(RemoteEndpoint endpoint, TimeSpan connectTimeout, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(connectTimeout.TotalSeconds * Stopwatch.Frequency);
        var socket = Connect(endpoint, deadline);
        socket.NoDelay = true;
        return new RedisConnection(endpoint, socket, timeout) { Timeout = timeout };
    }

    /// <summary>How long a reply, or progress while sending, may take before the operation fails.</summary>
    public TimeSpan Timeout
    {
        get => _timeout;
        set
        {
            _timeout = value;
            _socket.SendTimeout = Math.Max(1, (int)Math.Ceiling(value.TotalMilliseconds));
        }
    }

    /// <summary>Sends one command and reads its whole reply, within the operation timeout.</summary>
    public RespReply Execute(params ReadOnlySpan<string> arguments)
    {
        Writer.WriteArrayHeader(arguments.Length);
        foreach (var argument in arguments)
            Writer.WriteBulk(argument);
        Writer.Flush();
        Reader.SetDeadline(_timeout);
        return Reader.ReadReply();
    }

    /// <summary>Starts the deadline of the next reply.</summary>
    public void StartReply() => Reader.SetDeadline(_timeout);

    public void Dispose() => _socket.Dispose();

    private static Socket Connect(RemoteEndpoint endpoint, long deadline)
    {
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal) ? [literal] : Resolve(endpoint.Host, deadline);
        if (addresses.Length == 0)
            throw new SocketException((int)SocketError.HostNotFound);
        Exception? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                ConnectBefore(socket, new IPEndPoint(address, endpoint.Port), deadline);
                return socket;
            }
            catch (Exception e) when (e is SocketException or TimeoutException)
            {
                socket.Dispose();
                last = e;
            }
        }
        throw last!;
    }

    /// <summary>
    /// Resolves a host name through the OS (hosts file or DNS) within the connect deadline, since a resolver that
    /// does not answer would otherwise hold the caller for seconds. IPv4 first: servers are often bound to IPv4 only.
    /// </summary>
    private static IPAddress[] Resolve(string host, long deadline)
    {
        var lookup = Dns.GetHostAddressesAsync(host);
        var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
        if (left <= TimeSpan.Zero || !((IAsyncResult)lookup).AsyncWaitHandle.WaitOne(left))
            throw new TimeoutException($"could not resolve {host} in time");
        return lookup.GetAwaiter().GetResult().OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).ToArray();
    }

    /// <summary>A non-blocking connect and a bounded wait for it: the OS's own connect timeout is minutes.</summary>
    private static void ConnectBefore(Socket socket, IPEndPoint endpoint, long deadline)
    {
        socket.Blocking = false;
        try
        {
            socket.Connect(endpoint);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
        {
            var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            var ready = left > TimeSpan.Zero && socket.Poll(left, SelectMode.SelectWrite);
            var error = (SocketError)(int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
            if (error != SocketError.Success)
                throw new SocketException((int)error);
            if (!ready)
                throw new TimeoutException($"no connection to {endpoint} in time");
        }
        socket.Blocking = true;
    }
}
