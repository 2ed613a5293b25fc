using Strata.Engine.Caching;
using Strata.KvCache;
using Strata.KvCache.Handoff;

namespace Strata.Engine;

/// <summary>
/// A lease taken by a peer's pull: its blocks stay referenced (so nothing evicts or rewrites them) while they are
/// written out, from any thread, and are released when this is disposed.
/// </summary>
public sealed class LeasedBlocks : IAsyncDisposable
{
    private readonly KvLease _lease;
    private readonly IBlockMemory _memory;
    private readonly BlockStreamWriter _writer;
    private readonly Func<string, Task> _release;
    private int _released;

    internal LeasedBlocks(KvLease lease, IBlockMemory memory, byte[] cacheFingerprint, Func<string, Task> release)
    {
        _lease = lease;
        _memory = memory;
        _writer = new BlockStreamWriter(cacheFingerprint);
        _release = release;
    }

    public int Count => _lease.Blocks.Length;

    /// <summary>Bytes of the blocks' payloads.</summary>
    public long Bytes => Count * _memory.Layout.BlockBytes;

    /// <summary>Writes every block in chain order, in the format <see cref="BlockStreamReader"/> verifies.</summary>
    public async Task WriteToAsync(Stream destination, CancellationToken cancellation)
    {
        var payload = new byte[_memory.Layout.BlockBytes];
        for (var i = 0; i < Count; i++)
        {
            _memory.ReadBlock(_lease.Table[i], payload);
            await _writer.WriteAsync(destination, _lease.Blocks[i], payload, cancellation);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
            await _release(_lease.Id);
    }
}
