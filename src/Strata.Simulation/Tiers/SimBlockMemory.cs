using Strata.KvCache;

namespace Strata.Simulation.Tiers;

/// <summary>
/// A simulated node's KV memory as its tiers read it: no bytes, only a layout of the smallest real shape (one layer,
/// one head of one dimension), so a tier's byte capacity counts blocks and a payload costs a few bytes.
/// </summary>
internal sealed class SimBlockMemory(int blockSize) : IBlockMemory
{
    public KvLayout Layout { get; } = new(1, 1, 1, blockSize, KvDataType.F32);

    public void ReadBlock(int block, Span<byte> destination)
    {
    }
}
