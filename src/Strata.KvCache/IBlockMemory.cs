namespace Strata.KvCache;

/// <summary>
/// The bytes of the working pool's blocks, as the tiers below it copy them out (the model's KV memory). A block's
/// payload is laid out as <see cref="Layout"/> says, <see cref="KvLayout.BlockBytes"/> long.
/// </summary>
public interface IBlockMemory
{
    KvLayout Layout { get; }

    void ReadBlock(int block, Span<byte> destination);
}
