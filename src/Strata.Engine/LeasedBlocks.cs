using System.IO.Pipelines;
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

    internal LeasedBlocks(KvLease lease, IBlockMemory memory, byte[] cacheFingerprint, int blockSize, Func<string, Task> release)
    {
        _lease = lease;
        _memory = memory;
        _writer = new BlockStreamWriter(cacheFingerprint, blockSize, (int)memory.Layout.BlockBytes);
        _release = release;
    }

    public int Count => _lease.Blocks.Length;

    /// <summary>Bytes of the blocks' payloads.</summary>
    public long Bytes => Count * _memory.Layout.BlockBytes;

    /// <summary>Bytes <see cref="WriteToAsync"/> writes (every block's record), for a Content-Length.</summary>
    public long StreamBytes => (long)Count * _writer.RecordBytes;

    /// <summary>
    /// Writes every block in chain order, in the format <see cref="BlockStreamReader"/> verifies: each copied from the
    /// pool straight into the writer's buffer and flushed as one large write.
    /// </summary>
    public async Task WriteToAsync(PipeWriter destination, CancellationToken cancellation)
    {
        for (var i = 0; i < Count; i++)
        {
            var block = _lease.Table[i];
            _writer.Write(destination, _lease.Blocks[i], payload => _memory.ReadBlock(block, payload));
            var flushed = await destination.FlushAsync(cancellation);
            if (flushed.IsCompleted || flushed.IsCanceled)
                return;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
            await _release(_lease.Id);
    }
}
