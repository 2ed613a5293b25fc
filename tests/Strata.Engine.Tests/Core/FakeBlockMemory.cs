using Strata.KvCache;

namespace Strata.Engine.Tests.Core;

/// <summary>Working-pool memory whose every block reads as its own id in every byte (plus one), so a copied payload says where it came from.</summary>
internal sealed class FakeBlockMemory(int blockSize) : IBlockMemory
{
    public KvLayout Layout { get; } = new(LayerCount: 1, KvHeadCount: 1, HeadDim: 4, BlockSize: blockSize, DataType: KvDataType.F32);

    public void ReadBlock(int block, Span<byte> destination) => destination.Fill((byte)(block + 1));

    public static int BlockOf(byte[] payload) => payload[0] - 1;
}
