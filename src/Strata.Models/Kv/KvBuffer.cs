using Strata.Kernels.Memory;
using Strata.KvCache;

namespace Strata.Models.Kv;

/// <summary>
/// The memory of the paged KV cache: for every layer, K and V (or, for a <see cref="KvLayout.KeysOnly"/> layout,
/// the keys alone) for <see cref="BlockCount"/> blocks, each block laid out [kvHead, slot, headDim] so that one
/// head's keys in a block are contiguous for attention. Which block belongs to which sequence is decided
/// elsewhere (the block manager); the model only follows block tables.
/// </summary>
public sealed unsafe class KvBuffer : IBlockMemory, IDisposable
{
    /// <summary>Per-layer tensors at least this large (one 2 MiB page) are backed by huge pages.</summary>
    private const long HugePageThreshold = 2 << 20;

    private readonly NativeBuffer<byte>[] _keys;
    private readonly NativeBuffer<byte>[]? _values;

    public KvBuffer(KvLayout layout, int blockCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockCount, 1);
        Layout = layout;
        BlockCount = blockCount;
        var bytes = (long)layout.BlockBytesPerLayer * blockCount;
        _keys = new NativeBuffer<byte>[layout.LayerCount];
        _values = layout.KeysOnly ? null : new NativeBuffer<byte>[layout.LayerCount];
        // Attention over many sequences reads a short run of each block from memory: on 4 KiB pages nearly every
        // run is a TLB miss. Small caches (tests, tiny models) keep ordinary pages rather than round up to 2 MiB.
        OnHugePages = bytes >= HugePageThreshold;
        for (var l = 0; l < layout.LayerCount; l++)
        {
            _keys[l] = new NativeBuffer<byte>(bytes, OnHugePages);
            if (_values is not null)
                _values[l] = new NativeBuffer<byte>(bytes, OnHugePages);
        }
    }

    public KvLayout Layout { get; }

    /// <summary>Whether each layer's tensors were aligned to 2 MiB and advised huge pages (see the constructor).</summary>
    internal bool OnHugePages { get; }

    public int BlockCount { get; }

    public long TotalBytes => Layout.BlockBytes * BlockCount;

    /// <summary>Start of one block's keys for a layer: [KvHeadCount, BlockSize, HeadDim] elements.</summary>
    public byte* Keys(int layer, int block) => BlockStart(_keys[layer], block);

    /// <summary>Start of one block's values for a layer, laid out like <see cref="Keys"/>.</summary>
    public byte* Values(int layer, int block) => _values is null
        ? throw new InvalidOperationException("a keys-only KV layout stores no values")
        : BlockStart(_values[layer], block);

    /// <summary>
    /// Copies one block (every layer, K then V, or K alone) into <paramref name="destination"/> of
    /// <see cref="KvLayout.BlockBytes"/> bytes.
    /// </summary>
    public void ReadBlock(int block, Span<byte> destination)
    {
        var size = Layout.BlockBytesPerLayer;
        for (var i = 0; i < Tensors; i++)
            new ReadOnlySpan<byte>(Tensor(i, block), size).CopyTo(destination.Slice(i * size, size));
    }

    /// <summary>Overwrites one block with bytes produced by <see cref="ReadBlock"/>.</summary>
    public void WriteBlock(int block, ReadOnlySpan<byte> source)
    {
        var size = Layout.BlockBytesPerLayer;
        for (var i = 0; i < Tensors; i++)
            source.Slice(i * size, size).CopyTo(new Span<byte>(Tensor(i, block), size));
    }

    /// <summary>Copies one block's contents onto another (copy-on-write of a shared block).</summary>
    public void CopyBlock(int source, int destination)
    {
        var size = Layout.BlockBytesPerLayer;
        for (var i = 0; i < Tensors; i++)
            Buffer.MemoryCopy(Tensor(i, source), Tensor(i, destination), size, size);
    }

    public void Dispose()
    {
        foreach (var buffer in _keys.Concat(_values ?? []))
            buffer.Dispose();
    }

    private int Tensors => Layout.TensorsPerLayer * Layout.LayerCount;

    /// <summary>The i-th tensor of a block in payload order: layer by layer, keys then values.</summary>
    private byte* Tensor(int i, int block) => i % Layout.TensorsPerLayer == 0
        ? Keys(i / Layout.TensorsPerLayer, block)
        : Values(i / Layout.TensorsPerLayer, block);

    private byte* BlockStart(NativeBuffer<byte> buffer, int block)
    {
        if ((uint)block >= (uint)BlockCount)
            throw new ArgumentOutOfRangeException(nameof(block), block, $"block id outside [0, {BlockCount})");
        return buffer.Pointer + (long)block * Layout.BlockBytesPerLayer;
    }
}
