using Strata.KvCache;
using System.Numerics.Tensors;
using Strata.Kernels.Ops;
using Strata.Kernels.Simd;

namespace Strata.Models.Kv;

/// <summary>Converts cached keys or values of one head in one block to float, and stores new ones.</summary>
internal static unsafe class KvBlockReader
{
    /// <summary>Copies <paramref name="count"/> rows of <c>headDim</c> elements starting at slot <paramref name="first"/> of one head into destination[count, headDim].</summary>
    public static void Read(byte* block, KvLayout layout, int head, int first, int count, float* destination, SimdLevel level)
    {
        var offset = ((long)head * layout.BlockSize + first) * layout.HeadDim;
        var length = count * layout.HeadDim;
        if (layout.DataType == KvDataType.F16)
            HalfConversion.ToSingle((ushort*)block + offset, destination, length, level);
        else
            Buffer.MemoryCopy((float*)block + offset, destination, (long)length * sizeof(float), (long)length * sizeof(float));
    }

    /// <summary>Stores one token's vectors for every head, [kvHeads, headDim], at <paramref name="slot"/> of the block.</summary>
    public static void Write(byte* block, KvLayout layout, int slot, ReadOnlySpan<float> heads)
    {
        for (var h = 0; h < layout.KvHeadCount; h++)
        {
            var offset = ((long)h * layout.BlockSize + slot) * layout.HeadDim;
            var source = heads.Slice(h * layout.HeadDim, layout.HeadDim);
            if (layout.DataType == KvDataType.F16)
                TensorPrimitives.ConvertToHalf(source, new Span<Half>((Half*)block + offset, layout.HeadDim));
            else
                source.CopyTo(new Span<float>((float*)block + offset, layout.HeadDim));
        }
    }
}
