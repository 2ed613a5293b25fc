using Strata.Engine.Caching;
using Strata.KvCache.Prefix;

namespace Strata.Engine.Tests.Core;

/// <summary>A tier in a dictionary: it holds what it is given (or what a test puts there) and records what it was offered.</summary>
internal sealed class FakeTier(string name, TierWrites writes) : IKvTier
{
    private readonly Dictionary<BlockKey, (CachedBlock Block, byte[] Payload)> _blocks = [];

    public string Name => name;

    public TierWrites Writes => writes;

    public List<(CachedBlock Block, byte[] Payload, DateTimeOffset Expires)> Stored { get; } = [];

    public int Reads { get; private set; }

    public void Put(CachedBlock block, byte[] payload) => _blocks[block.Key] = (block, payload);

    public bool Contains(BlockKey key) => _blocks.ContainsKey(key);

    public int ReadChain(IReadOnlyList<CachedBlock> chain, IReadOnlyList<byte[]> payloads)
    {
        Reads++;
        var read = 0;
        while (read < chain.Count && _blocks.TryGetValue(chain[read].Key, out var held) && held.Block.Tokens.Span.SequenceEqual(chain[read].Tokens.Span))
        {
            held.Payload.CopyTo(payloads[read], 0);
            read++;
        }
        return read;
    }

    public void Store(CachedBlock block, byte[] payload, DateTimeOffset expires)
    {
        Stored.Add((block, payload, expires));
        Put(block, payload);
    }

    public Task FlushAsync() => Task.CompletedTask;

    public void ClearPrivate() => _blocks.Clear();

    public TierStats Stats => new() { Name = name, Blocks = _blocks.Count };

    public void Dispose()
    {
    }
}
