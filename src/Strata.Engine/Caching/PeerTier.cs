using System.Buffers;
using Strata.KvCache.Prefix;

namespace Strata.Engine.Caching;

/// <summary>
/// A peer node's memory as a tier (on a decode node): the blocks a prefill node handed over for requests on their way
/// in, held from when they arrive until those requests end. The pool never writes here; admission finds a request's
/// prompt blocks here like in any tier and loads them as a prefix hit, so only the rest of the prompt is computed.
/// Blocks offered twice (two requests with one prefix) are held until both are withdrawn. Payloads come from
/// <see cref="Rent"/> and belong to the tier once offered: it returns each to the pool when its last holder withdraws.
/// </summary>
internal sealed class PeerTier(int payloadBytes) : IKvTier
{
    private readonly Lock _lock = new();
    private readonly Dictionary<BlockKey, (CachedBlock Block, byte[] Payload, int Holders)> _blocks = [];
    private long _hits;
    private long _misses;
    private long _received;
    private long _receivedBytes;
    private double _receiveSeconds;

    public string Name => "peer";

    public TierWrites Writes => TierWrites.Never;

    public int PayloadBytes => payloadBytes;

    /// <summary>A buffer for one received payload (its first <see cref="PayloadBytes"/> bytes), from a shared pool, not zeroed.</summary>
    public byte[] Rent() => ArrayPool<byte>.Shared.Rent(payloadBytes);

    /// <summary>Gives back a payload buffer that was never offered.</summary>
    public void Return(byte[] payload) => ArrayPool<byte>.Shared.Return(payload);

    /// <summary>Holds <paramref name="blocks"/>, taking their payloads (a block held already keeps its first payload).</summary>
    public void Offer(IReadOnlyList<(CachedBlock Block, byte[] Payload)> blocks, TimeSpan took)
    {
        lock (_lock)
        {
            foreach (var (block, payload) in blocks)
            {
                if (_blocks.TryGetValue(block.Key, out var held))
                {
                    _blocks[block.Key] = held with { Holders = held.Holders + 1 };
                    Return(payload);
                }
                else
                {
                    _blocks[block.Key] = (block, payload, 1);
                }
                _receivedBytes += payloadBytes;
            }
            _received += blocks.Count;
            _receiveSeconds += took.TotalSeconds;
        }
    }

    public void Withdraw(IReadOnlyList<CachedBlock> blocks)
    {
        lock (_lock)
        {
            foreach (var block in blocks)
            {
                if (!_blocks.TryGetValue(block.Key, out var held))
                    continue;
                if (held.Holders == 1)
                {
                    _blocks.Remove(block.Key);
                    Return(held.Payload);
                }
                else
                    _blocks[block.Key] = held with { Holders = held.Holders - 1 };
            }
        }
    }

    public bool Contains(BlockKey key)
    {
        lock (_lock)
            return _blocks.ContainsKey(key);
    }

    public int ReadChain(IReadOnlyList<CachedBlock> chain, IReadOnlyList<byte[]> payloads)
    {
        lock (_lock)
        {
            var read = 0;
            while (read < chain.Count && _blocks.TryGetValue(chain[read].Key, out var held)
                && held.Block.Parent == chain[read].Parent && held.Block.Tokens.Span.SequenceEqual(chain[read].Tokens.Span))
            {
                held.Payload.AsSpan(0, payloadBytes).CopyTo(payloads[read]);
                read++;
            }
            _hits += read;
            if (read < chain.Count)
                _misses++;
            return read;
        }
    }

    public void Store(CachedBlock block, byte[] payload, DateTimeOffset expires) =>
        throw new InvalidOperationException("the peer tier holds only blocks handed over by a peer");

    public Task FlushAsync() => Task.CompletedTask;

    public void ClearPrivate()
    {
    }

    public TierStats Stats
    {
        get
        {
            lock (_lock)
            {
                return new TierStats
                {
                    Name = Name, Blocks = _blocks.Count, Bytes = (long)_blocks.Count * payloadBytes, Hits = _hits, Misses = _misses,
                    Details =
                    [
                        new("received_blocks_total", "Blocks received from prefill nodes.", _received),
                        new("received_bytes_total", "Bytes of blocks received from prefill nodes.", _receivedBytes),
                        new("receive_seconds_total", "Time spent pulling blocks from prefill nodes.", _receiveSeconds),
                    ],
                };
            }
        }
    }

    public void Dispose()
    {
    }
}
