namespace Strata.KvCache.Remote;

/// <summary>
/// One store server: its breaker and a small pool of idle connections, so concurrent prefetches and the publisher
/// each get their own connection without reconnecting every time.
/// </summary>
internal sealed class StoreNode(RemoteEndpoint endpoint, CircuitBreaker breaker, RemoteStoreOptions options) : IDisposable
{
    private const int MaxIdleConnections = 4;
    private readonly Lock _lock = new();
    private readonly Stack<RedisConnection> _idle = new();
    private bool _disposed;

    public RemoteEndpoint Endpoint => endpoint;

    public CircuitBreaker Breaker => breaker;

    /// <summary>An idle connection, or a new one (connecting within the connect timeout; throws on failure).</summary>
    public RedisConnection Rent()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_idle.TryPop(out var idle))
                return idle;
        }
        return RedisConnection.Open(endpoint, options);
    }

    /// <summary>Whether an exception means the server failed us (rather than a bug of ours).</summary>
    public static bool IsFailure(Exception e) =>
        e is System.Net.Sockets.SocketException or IOException or TimeoutException or InvalidDataException or ObjectDisposedException;

    /// <summary>The operation on <paramref name="connection"/> completed cleanly: keep it, and tell the breaker.</summary>
    public void Succeeded(RedisConnection connection)
    {
        breaker.RecordSuccess();
        Return(connection);
    }

    /// <summary>The operation failed mid-way: the connection is out of step, so drop it, and tell the breaker.</summary>
    public void Failed(RedisConnection? connection, Exception reason)
    {
        connection?.Dispose();
        breaker.RecordFailure(reason);
    }

    /// <summary>Gives back a connection whose last operation completed cleanly.</summary>
    private void Return(RedisConnection connection)
    {
        lock (_lock)
        {
            if (!_disposed && _idle.Count < MaxIdleConnections)
            {
                _idle.Push(connection);
                return;
            }
        }
        connection.Dispose();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            while (_idle.TryPop(out var connection))
                connection.Dispose();
        }
    }
}
