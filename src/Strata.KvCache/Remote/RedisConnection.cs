using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
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
    private readonly SslStream? _tls;
    private TimeSpan _timeout;

    private RedisConnection(RemoteEndpoint endpoint, Socket socket, SslStream? tls, TimeSpan timeout)
    {
        Endpoint = endpoint;
        _socket = socket;
        _tls = tls;
        _timeout = timeout;
        Reader = new RespReader(socket, tls);
        Writer = new RespWriter(socket, tls);
    }

    public RemoteEndpoint Endpoint { get; }

    public RespReader Reader { get; }

    public RespWriter Writer { get; }

    /// <summary>
    /// Connects within the connect timeout, then (as <paramref name="options"/> say) shakes hands over TLS and
    /// authenticates; operations then wait at most the operation timeout. A refused AUTH is an <see cref="IOException"/>,
    /// a failure like any other that the breaker counts.
    /// </summary>
    public static RedisConnection Open(RemoteEndpoint endpoint, RemoteStoreOptions options)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(options.ConnectTimeout.TotalSeconds * Stopwatch.Frequency);
        var socket = Connect(endpoint, deadline);
        socket.NoDelay = true;
        SslStream? tls = null;
        try
        {
            if (options.UseTls)
                tls = Handshake(socket, endpoint, options);
            var connection = new RedisConnection(endpoint, socket, tls, options.OperationTimeout) { Timeout = options.OperationTimeout };
            if (options.Password is { } password)
                connection.Authenticate(options.Username, password);
            return connection;
        }
        catch
        {
            tls?.Dispose();
            socket.Dispose();
            throw;
        }
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

    public void Dispose()
    {
        _tls?.Dispose();
        _socket.Dispose();
    }

    private void Authenticate(string? user, string password)
    {
        var reply = user is null ? Execute("AUTH", password) : Execute("AUTH", user, password);
        if (reply.IsError)
            throw new IOException($"the store refused AUTH{(user is null ? "" : $" as {user}")}: {reply.Text}");
    }

    /// <summary>A TLS handshake bounded by the connect and operation timeouts together.</summary>
    private static SslStream Handshake(Socket socket, RemoteEndpoint endpoint, RemoteStoreOptions options)
    {
        var limit = Math.Max(1, (int)Math.Ceiling((options.ConnectTimeout + options.OperationTimeout).TotalMilliseconds));
        socket.ReceiveTimeout = limit;
        socket.SendTimeout = limit;
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false, options.CertificateValidation);
        try
        {
            tls.AuthenticateAsClient(new SslClientAuthenticationOptions { TargetHost = endpoint.Host });
            return tls;
        }
        catch (AuthenticationException e)
        {
            tls.Dispose();
            throw new IOException($"TLS with {endpoint} failed: {e.Message}", e);
        }
        catch
        {
            tls.Dispose();
            throw;
        }
    }

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
