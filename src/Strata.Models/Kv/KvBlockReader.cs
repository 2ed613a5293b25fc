using Strata.KvCache;
using System.Numerics.Tensors;
using Strata.Kernels.Attention;
using Strata.Kernels.MatMul;
using Strata.Kernels.Ops;
using Strata.Kernels.Quant;
using Strata.Kernels.Simd;

namespace Strata.Models.Kv;

/// <summary>Converts cached keys or values of one head in one block to what attention reads, and stores new ones.</summary>
internal static unsafe class KvBlockReader
{
    /// <summary>
    /// Copies <paramref name="count"/> rows of <c>headDim</c> elements starting at slot <paramref name="first"/> of one
    /// head into destination[count, headDim] as floats (a quantized cache's values dequantized).
    /// </summary>
    public static void Read(byte* block, KvLayout layout, int head, int first, int count, float* destination, SimdLevel level)
    {
        var rows = Row(block, layout, head, first);
        var length = count * layout.HeadDim;
        switch (layout.DataType)
        {
            case KvDataType.F16:
                HalfConversion.ToSingle((ushort*)rows, destination, length, level);
                break;
            case KvDataType.F32:
                Buffer.MemoryCopy(rows, destination, (long)length * sizeof(float), (long)length * sizeof(float));
                break;
            default:
                QuantizedKv.Dequantize(QuantizedType(layout), rows, layout.RowBytes, count, layout.HeadDim, destination, level);
                break;
        }
    }

    /// <summary>A quantized cache's keys: <paramref name="count"/> rows from slot <paramref name="first"/> of one head as int8 key pairs.</summary>
    public static void ReadKeys(byte* block, KvLayout layout, int head, int first, int count, Q8_0Keys destination) =>
        QuantizedKv.UnpackKeys(QuantizedType(layout), Row(block, layout, head, first), layout.RowBytes, count, layout.HeadDim, destination);

    /// <summary>
    /// Asks the caches for <paramref name="count"/> rows from slot <paramref name="first"/> of one head, which
    /// <see cref="Read"/> or <see cref="ReadKeys"/> will take a little later: a head's rows in a block are a run too
    /// short for the hardware prefetcher, so attention over many sequences otherwise waits on memory at every block.
    /// </summary>
    public static void Prefetch(byte* block, KvLayout layout, int head, int first, int count) =>
        CacheLines.Prefetch(Row(block, layout, head, first), count * layout.RowBytes);

    /// <summary>
    /// Stores one token's vectors for every head, [kvHeads, headDim], at <paramref name="slot"/> of the block, rotated
    /// first by <paramref name="rotation"/> (<see cref="KvLayout.KeyRotation"/> or <see cref="KvLayout.ValueRotation"/>).
    /// </summary>
    public static void Write(byte* block, KvLayout layout, int slot, ReadOnlySpan<float> heads, int rotation, SimdLevel level)
    {
        var rotated = stackalloc float[rotation > 0 ? layout.HeadDim : 0];
        for (var h = 0; h < layout.KvHeadCount; h++)
        {
            var row = Row(block, layout, h, slot);
            var source = heads.Slice(h * layout.HeadDim, layout.HeadDim);
            if (rotation > 0)
            {
                source.CopyTo(new Span<float>(rotated, layout.HeadDim));
                Hadamard.Rotate(rotated, layout.HeadDim, rotation, level);
                source = new ReadOnlySpan<float>(rotated, layout.HeadDim);
            }
            switch (layout.DataType)
            {
                case KvDataType.F16:
                    TensorPrimitives.ConvertToHalf(source, new Span<Half>(row, layout.HeadDim));
                    break;
                case KvDataType.F32:
                    source.CopyTo(new Span<float>(row, layout.HeadDim));
                    break;
                default:
                    QuantizedKv.Store(QuantizedType(layout), source, new Span<byte>(row, layout.RowBytes));
                    break;
            }
        }
    }

    /// <summary>Where slot <paramref name="slot"/> of one head's rows starts in a block ([kvHead, slot] rows of RowBytes).</summary>
    private static byte* Row(byte* block, KvLayout layout, int head, int slot) => block + ((long)head * layout.BlockSize + slot) * layout.RowBytes;

    private static TensorType QuantizedType(KvLayout layout) => layout.DataType == KvDataType.Q8_0 ? TensorType.Q8_0 : TensorType.Q4_0;
}
