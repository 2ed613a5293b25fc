using Strata.KvCache.Prefix;

namespace Strata.KvCache.Remote;

/// <summary>
/// GETs of block values: one key, or a chain pipelined per server, so a chain costs about one round trip per server
/// plus transfer time. The pipeline is a sliding window of GETs in flight, at most <see cref="BytesInFlight"/> of
/// values: Redis runs every command it has read before writing any reply, so a reply waits for the copies of all the
/// values requested with it. With the whole chain sent at once, or even 32 blocks of half a megabyte, the first reply
/// of a Redis 7 server whose reply buffers are freshly faulted in took longer than the 50 ms deadline (about 1.6 ms a
/// value here); a window of a few megabytes bounds that wait and still keeps the server busy. Each reply has its own
/// deadline; redirects are followed after the pipelines drain.
/// </summary>
internal sealed class BlockReads(ClusterRouter router, RemoteKeyspace keyspace, BlockValueCodec codec, RemoteCounters counters)
{
    private const int MaxRedirects = 3;
    private const int MaxWindow = 32;
    private const int BytesInFlight = 4 << 20;

    public bool ReadOne(BlockKey key, ReadOnlySpan<int> tokens, Span<byte> payload)
    {
        var name = keyspace.Name(key);
        var outcome = Fetch(router.NodeFor(HashSlot.Of(name)), asking: false, name, key, null, tokens, payload);
        router.DiscoverIfDue();
        return outcome == ReadOutcome.Hit;
    }

    /// <summary>Reads the blocks of <paramref name="chain"/>; returns how many leading ones were loaded and verified.</summary>
    public int ReadChain(IReadOnlyList<CachedBlock> chain, IReadOnlyList<Memory<byte>> payloads, CancellationToken cancellation)
    {
        var names = chain.Select(block => keyspace.Name(block.Key)).ToArray();
        var outcomes = new ReadOutcome[chain.Count];
        var redirects = new RedisRedirect[chain.Count];
        var window = WindowFor(payloads.Count == 0 ? 0 : payloads[0].Length);
        var pipelines = StartPipelines(names, outcomes, window);
        router.DiscoverIfDue();
        var firstGap = chain.Count;
        foreach (var pipeline in pipelines)
            firstGap = ReceiveAll(pipeline, chain, names, payloads, outcomes, redirects, firstGap, cancellation);
        for (var i = 0; i < firstGap; i++)
        {
            if (outcomes[i] != ReadOutcome.Redirected)
                continue;
            var (node, asking) = Follow(redirects[i]);
            outcomes[i] = Fetch(node, asking, names[i], chain[i].Key, chain[i].Parent, chain[i].Tokens.Span, payloads[i].Span);
            if (outcomes[i] != ReadOutcome.Hit)
                break;
        }
        var loaded = 0;
        while (loaded < outcomes.Length && outcomes[loaded] == ReadOutcome.Hit)
            loaded++;
        return loaded;
    }

    /// <summary>How many GETs of values with <paramref name="payloadBytes"/> of KV each may be in flight on one connection (two at least, so the window can slide).</summary>
    internal static int WindowFor(int payloadBytes) => Math.Clamp(BytesInFlight / Math.Max(1, payloadBytes), 2, MaxWindow);

    private List<Pipeline> StartPipelines(byte[][] names, ReadOutcome[] outcomes, int window)
    {
        var pipelines = new List<Pipeline>();
        foreach (var group in names.Select((name, index) => (Node: router.NodeFor(HashSlot.Of(name)), Index: index)).GroupBy(x => x.Node))
        {
            var indices = group.Select(x => x.Index).ToArray();
            if (!group.Key.Breaker.TryAcquire())
            {
                foreach (var i in indices)
                    outcomes[i] = ReadOutcome.Refused;
                continue;
            }
            RedisConnection? connection = null;
            try
            {
                connection = group.Key.Rent();
                var pipeline = new Pipeline(group.Key, connection, indices, window);
                SendMore(pipeline, names, names.Length);
                pipelines.Add(pipeline);
            }
            catch (Exception e) when (StoreNode.IsFailure(e))
            {
                Fail(group.Key, connection, e);
                foreach (var i in indices)
                    outcomes[i] = ReadOutcome.Failed;
            }
        }
        return pipelines;
    }

    /// <summary>
    /// Reads one server's replies in order, topping its window up with GETs for blocks before the chain's first gap;
    /// values already on their way past the gap are drained, not copied.
    /// </summary>
    private int ReceiveAll(
        Pipeline pipeline, IReadOnlyList<CachedBlock> chain, byte[][] names, IReadOnlyList<Memory<byte>> payloads,
        ReadOutcome[] outcomes, RedisRedirect[] redirects, int firstGap, CancellationToken cancellation)
    {
        var connection = pipeline.Connection;
        try
        {
            for (; pipeline.Received < pipeline.Sent; pipeline.Received++)
            {
                var i = pipeline.Indices[pipeline.Received];
                if (cancellation.IsCancellationRequested)
                {
                    // Replies are still on their way: the connection cannot be reused, and the server did nothing wrong.
                    connection.Dispose();
                    return Math.Min(firstGap, i);
                }
                if (pipeline.Sent - pipeline.Received <= pipeline.Window / 2)
                    SendMore(pipeline, names, firstGap);
                var block = chain[i];
                connection.StartReply();
                var reply = ReadGetReply(connection, block.Key, block.Parent, block.Tokens.Span, payloads[i].Span, copy: i < firstGap);
                outcomes[i] = reply.Outcome;
                redirects[i] = reply.Redirect;
                if (reply.Outcome is not (ReadOutcome.Hit or ReadOutcome.Redirected))
                    firstGap = Math.Min(firstGap, i);
            }
            pipeline.Node.Succeeded(connection);
            return firstGap;
        }
        catch (Exception e) when (StoreNode.IsFailure(e))
        {
            Fail(pipeline.Node, connection, e);
            return Math.Min(firstGap, pipeline.Indices[pipeline.Received]);
        }
    }

    /// <summary>One GET, following up to <see cref="MaxRedirects"/> redirects.</summary>
    private ReadOutcome Fetch(StoreNode node, bool asking, byte[] name, BlockKey key, BlockKey? parent, ReadOnlySpan<int> tokens, Span<byte> payload)
    {
        for (var hop = 0; hop <= MaxRedirects; hop++)
        {
            if (!node.Breaker.TryAcquire())
                return ReadOutcome.Refused;
            RedisConnection? connection = null;
            GetReply reply;
            try
            {
                connection = node.Rent();
                if (asking)
                    WriteCommand(connection.Writer, "ASKING");
                WriteGet(connection.Writer, name);
                connection.Writer.Flush();
                if (asking)
                {
                    connection.StartReply();
                    connection.Reader.ReadReply();
                }
                connection.StartReply();
                reply = ReadGetReply(connection, key, parent, tokens, payload, copy: true);
                node.Succeeded(connection);
            }
            catch (Exception e) when (StoreNode.IsFailure(e))
            {
                Fail(node, connection, e);
                return ReadOutcome.Failed;
            }
            if (reply.Outcome != ReadOutcome.Redirected)
                return reply.Outcome;
            (node, asking) = Follow(reply.Redirect);
        }
        Interlocked.Increment(ref counters.Errors);
        return ReadOutcome.Failed;
    }

    private GetReply ReadGetReply(RedisConnection connection, BlockKey key, BlockKey? parent, ReadOnlySpan<int> tokens, Span<byte> payload, bool copy)
    {
        var reader = connection.Reader;
        var header = reader.ReadHeader();
        switch (header.Kind)
        {
            case RespKind.BulkString when header.IsNull:
                Interlocked.Increment(ref counters.Misses);
                return new GetReply(ReadOutcome.Miss);
            case RespKind.BulkString:
                Interlocked.Add(ref counters.BytesRead, header.Number);
                if (!copy)
                {
                    reader.Skip(header.Number);
                    reader.ReadLineEnd();
                    return new GetReply(ReadOutcome.Skipped);
                }
                switch (BlockValueReader.Read(reader, header.Number, codec, key, parent, tokens, payload))
                {
                    case ValueCheck.Valid:
                        Interlocked.Increment(ref counters.Hits);
                        return new GetReply(ReadOutcome.Hit);
                    case ValueCheck.Foreign:
                        Interlocked.Increment(ref counters.RejectedForeign);
                        return new GetReply(ReadOutcome.Rejected);
                    default:
                        Interlocked.Increment(ref counters.RejectedCorrupt);
                        return new GetReply(ReadOutcome.Rejected);
                }
            case RespKind.Error when RedisRedirect.TryParse(header.Text, connection.Endpoint, out var redirect):
                Interlocked.Increment(ref counters.Redirects);
                return new GetReply(ReadOutcome.Redirected, redirect);
            case RespKind.Error:
                // The server is up but refuses (loading, cluster down, ...): not a reason to stop asking it.
                Interlocked.Increment(ref counters.Errors);
                return new GetReply(ReadOutcome.Failed);
            default:
                throw new InvalidDataException($"GET answered with a {header.Kind}");
        }
    }

    private (StoreNode Node, bool Asking) Follow(RedisRedirect redirect)
    {
        if (!redirect.IsAsk)
            router.Moved(redirect);
        return (router.NodeAt(redirect.Target), redirect.IsAsk);
    }

    private void Fail(StoreNode node, RedisConnection? connection, Exception reason)
    {
        Interlocked.Increment(ref counters.Errors);
        node.Failed(connection, reason);
    }

    /// <summary>Tops the pipeline's GETs in flight up to the window, for blocks before <paramref name="firstGap"/> only.</summary>
    private static void SendMore(Pipeline pipeline, byte[][] names, int firstGap)
    {
        var until = Math.Min(pipeline.Indices.Length, pipeline.Received + pipeline.Window);
        var before = pipeline.Sent;
        for (; pipeline.Sent < until && pipeline.Indices[pipeline.Sent] < firstGap; pipeline.Sent++)
            WriteGet(pipeline.Connection.Writer, names[pipeline.Indices[pipeline.Sent]]);
        if (pipeline.Sent > before)
            pipeline.Connection.Writer.Flush();
    }

    private static void WriteGet(RespWriter writer, byte[] name)
    {
        writer.WriteArrayHeader(2);
        writer.WriteBulk("GET"u8);
        writer.WriteBulk(name);
    }

    private static void WriteCommand(RespWriter writer, string command)
    {
        writer.WriteArrayHeader(1);
        writer.WriteBulk(command);
    }

    /// <summary>One server's share of a chain: its GETs in chain order, how many may be in flight, how many were sent and how many answered.</summary>
    private sealed class Pipeline(StoreNode node, RedisConnection connection, int[] indices, int window)
    {
        public int Window => window;

        public StoreNode Node => node;

        public RedisConnection Connection => connection;

        public int[] Indices => indices;

        public int Sent { get; set; }

        public int Received { get; set; }
    }
}
