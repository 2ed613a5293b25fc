using Strata.KvCache.Prefix;

namespace Strata.KvCache.Remote;

/// <summary>
/// Publishes full blocks from a thread of its own, so the engine only ever enqueues. Batches are pipelined per
/// server as <c>SET key value NX PX ttl</c>: NX because a block's content is fixed by its key, so the first copy is
/// as good as any and rewriting it would only cost bandwidth. A block is dropped (and counted) when the queue is
/// full, its server's breaker is open, or its write fails.
/// </summary>
internal sealed class BlockPublisher : IDisposable
{
    private const int MaxBatchBlocks = 16;
    private const int MaxRedirects = 3;
    private const long MaxBatchBytes = 8L << 20;
    private static readonly TimeSpan DrainOnDispose = TimeSpan.FromSeconds(2);
    private readonly ClusterRouter _router;
    private readonly RemoteKeyspace _keyspace;
    private readonly BlockValueCodec _codec;
    private readonly RemoteCounters _counters;
    private readonly long _ttlMilliseconds;
    private readonly TimeSpan _publishTimeout;
    private readonly TimeSpan _operationTimeout;
    private readonly PublishQueue _queue;
    private readonly Thread _thread;

    public BlockPublisher(ClusterRouter router, RemoteKeyspace keyspace, BlockValueCodec codec, RemoteCounters counters, RemoteStoreOptions options)
    {
        _router = router;
        _keyspace = keyspace;
        _codec = codec;
        _counters = counters;
        _ttlMilliseconds = Math.Max(1, (long)options.BlockTtl.TotalMilliseconds);
        _publishTimeout = options.PublishTimeout;
        _operationTimeout = options.OperationTimeout;
        _queue = new PublishQueue(options.PublishQueueBytes);
        _thread = new Thread(Run) { IsBackground = true, Name = "strata-remote-publish" };
        _thread.Start();
    }

    public void Enqueue(CachedBlock block, byte[] payload)
    {
        var name = _keyspace.Name(block.Key);
        if (_router.NodeFor(HashSlot.Of(name)).Breaker.IsOpen || !_queue.TryAdd(new PendingPublish(block, payload, name)))
            Interlocked.Increment(ref _counters.DroppedPublishes);
    }

    public bool WaitIdle(TimeSpan timeout) => _queue.WaitIdle(timeout);

    public void Dispose()
    {
        _queue.Close();
        _thread.Join(DrainOnDispose);
    }

    private void Run()
    {
        while (_queue.TakeBatch(MaxBatchBlocks, MaxBatchBytes) is { } batch)
        {
            try
            {
                Publish(batch);
            }
            catch (Exception)
            {
                // Nothing may kill this thread: a bug here costs the batch, not the engine.
                Interlocked.Increment(ref _counters.Errors);
                Interlocked.Add(ref _counters.DroppedPublishes, batch.Count);
            }
            finally
            {
                _queue.Completed();
            }
        }
    }

    private void Publish(List<PendingPublish> batch)
    {
        var pipelines = new List<(StoreNode Node, RedisConnection Connection, PendingPublish[] Items)>();
        foreach (var group in batch.GroupBy(item => _router.NodeFor(HashSlot.Of(item.Name))))
        {
            var items = group.ToArray();
            if (!group.Key.Breaker.TryAcquire())
            {
                Interlocked.Add(ref _counters.DroppedPublishes, items.Length);
                continue;
            }
            RedisConnection? connection = null;
            try
            {
                connection = Rent(group.Key);
                foreach (var item in items)
                    WriteSet(connection.Writer, item);
                connection.Writer.Flush();
                pipelines.Add((group.Key, connection, items));
            }
            catch (Exception e) when (StoreNode.IsFailure(e))
            {
                Fail(group.Key, connection, e, items.Length);
            }
        }
        _router.DiscoverIfDue();
        var redirected = new List<(PendingPublish Item, RedisRedirect Redirect)>();
        foreach (var (node, connection, items) in pipelines)
        {
            var next = 0;
            try
            {
                for (; next < items.Length; next++)
                {
                    connection.StartReply();
                    if (ReadSetReply(connection, items[next]) is { } redirect)
                        redirected.Add((items[next], redirect));
                }
                Return(node, connection);
            }
            catch (Exception e) when (StoreNode.IsFailure(e))
            {
                Fail(node, connection, e, items.Length - next);
            }
        }
        foreach (var (item, redirect) in redirected)
            PublishRedirected(item, redirect);
    }

    /// <summary>Follows a redirect (and up to <see cref="MaxRedirects"/> in a row: MOVED, then ASK while the slot migrates).</summary>
    private void PublishRedirected(PendingPublish item, RedisRedirect redirect)
    {
        for (var hop = 0; hop < MaxRedirects; hop++)
        {
            if (!redirect.IsAsk)
                _router.Moved(redirect);
            var node = _router.NodeAt(redirect.Target);
            if (!node.Breaker.TryAcquire())
            {
                Interlocked.Increment(ref _counters.DroppedPublishes);
                return;
            }
            RedisConnection? connection = null;
            RedisRedirect? next;
            try
            {
                connection = Rent(node);
                if (redirect.IsAsk)
                {
                    connection.Writer.WriteArrayHeader(1);
                    connection.Writer.WriteBulk("ASKING"u8);
                }
                WriteSet(connection.Writer, item);
                connection.Writer.Flush();
                if (redirect.IsAsk)
                {
                    connection.StartReply();
                    connection.Reader.ReadReply();
                }
                connection.StartReply();
                next = ReadSetReply(connection, item);
                Return(node, connection);
            }
            catch (Exception e) when (StoreNode.IsFailure(e))
            {
                Fail(node, connection, e, 1);
                return;
            }
            if (next is not { } again)
                return;
            redirect = again;
        }
        // Still redirected: the cluster is resharding this slot; the block is not worth chasing further.
        Interlocked.Increment(ref _counters.DroppedPublishes);
    }

    /// <summary>A pooled connection with the publisher's patience; <see cref="Return"/> restores the pool's.</summary>
    private RedisConnection Rent(StoreNode node)
    {
        var connection = node.Rent();
        connection.Timeout = _publishTimeout;
        return connection;
    }

    private void Return(StoreNode node, RedisConnection connection)
    {
        connection.Timeout = _operationTimeout;
        node.Succeeded(connection);
    }

    private void WriteSet(RespWriter writer, PendingPublish item)
    {
        var header = _codec.EncodeHeader(item.Block, item.Payload.Length);
        Span<byte> checksum = stackalloc byte[BlockValueCodec.ChecksumBytes];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(checksum, BlockValueCodec.Checksum(header, item.Payload));
        writer.WriteArrayHeader(6);
        writer.WriteBulk("SET"u8);
        writer.WriteBulk(item.Name);
        writer.WriteBulkHeader(checked((int)_codec.ValueBytes(item.Block.Tokens.Length, item.Payload.Length)));
        writer.WriteRaw(header);
        writer.WriteRaw(item.Payload);
        writer.WriteRaw(checksum);
        writer.WriteLineEnd();
        writer.WriteBulk("NX"u8);
        writer.WriteBulk("PX"u8);
        writer.WriteBulk(_ttlMilliseconds);
    }

    /// <summary>Reads a SET reply and counts it; returns the redirect when the server sent one.</summary>
    private RedisRedirect? ReadSetReply(RedisConnection connection, PendingPublish item)
    {
        var header = connection.Reader.ReadHeader();
        switch (header.Kind)
        {
            case RespKind.SimpleString:
                Interlocked.Increment(ref _counters.Published);
                Interlocked.Add(ref _counters.BytesWritten, _codec.ValueBytes(item.Block.Tokens.Length, item.Payload.Length));
                return null;
            case RespKind.BulkString when header.IsNull:
                Interlocked.Increment(ref _counters.AlreadyPresent);
                return null;
            case RespKind.Error when RedisRedirect.TryParse(header.Text, connection.Endpoint, out var redirect):
                Interlocked.Increment(ref _counters.Redirects);
                return redirect;
            case RespKind.Error:
                Interlocked.Increment(ref _counters.Errors);
                Interlocked.Increment(ref _counters.DroppedPublishes);
                return null;
            default:
                throw new InvalidDataException($"SET answered with a {header.Kind}");
        }
    }

    private void Fail(StoreNode node, RedisConnection? connection, Exception reason, int lostBlocks)
    {
        Interlocked.Increment(ref _counters.Errors);
        Interlocked.Add(ref _counters.DroppedPublishes, lostBlocks);
        node.Failed(connection, reason);
    }
}
