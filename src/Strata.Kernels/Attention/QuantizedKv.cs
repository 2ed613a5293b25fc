using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Strata.Kernels.MatMul;
using Strata.Kernels.Ops;
using Strata.Kernels.Quant;
using Strata.Kernels.Simd;

namespace Strata.Kernels.Attention;

/// <summary>
/// Rows of a quantized KV cache in ggml's own block layouts (Q8_0: fp16 d and 32 int8; Q4_0: fp16 d and 16 bytes of
/// nibbles, low nibbles the first 16), one row per head and position as llama.cpp stores them: quantized on the way
/// in as ggml's set_rows does, and read back either dequantized (values) or as int8 key pairs (<see cref="Q8_0Keys"/>).
/// </summary>
public static unsafe class QuantizedKv
{
    private const int Block = 32;

    /// <summary>Bytes of a row of <paramref name="n"/> elements (a multiple of 32).</summary>
    public static int RowBytes(TensorType type, int n) => (int)TensorTypeInfo.RowBytes(type, n);

    /// <summary>
    /// Quantizes x[n] into one row as ggml's CPU backend stores into a cache of that type: Q8_0 with its x86 numerics
    /// (127/amax, ties to even), Q4_0 with the reference quantizer.
    /// </summary>
    public static void Store(TensorType type, ReadOnlySpan<float> x, Span<byte> row)
    {
        if (type == TensorType.Q8_0)
            ActivationQuantizer.QuantizeRow(TensorType.Q8_0, x, row);
        else
            Quantizer.QuantizeRow(type, x, row);
    }

    /// <summary>
    /// destination[count, n] = the <paramref name="count"/> rows from <paramref name="rows"/> (<paramref name="rowBytes"/>
    /// apart) dequantized as ggml's to_float does: (q − offset)·d in float.
    /// </summary>
    public static void Dequantize(TensorType type, byte* rows, int rowBytes, int count, int n, float* destination, SimdLevel level)
    {
        var blockBytes = TensorTypeInfo.BlockBytes(type);
        for (var r = 0; r < count; r++)
        {
            for (var b = 0; b < n / Block; b++)
            {
                var block = rows + (long)r * rowBytes + b * blockBytes;
                var d = HalfConversion.ToSingle(*(ushort*)block);
                var y = destination + (long)r * n + b * Block;
                switch (level)
                {
                    case SimdLevel.Avx512:
                        var (low, high) = Widen512(type, block + 2);
                        (Avx512F.ConvertToVector512Single(low) * d).Store(y);
                        (Avx512F.ConvertToVector512Single(high) * d).Store(y + 16);
                        break;
                    default:
                        for (var i = 0; i < Block; i++)
                            y[i] = Quant(type, block + 2, i) * d;
                        break;
                }
            }
        }
    }

    /// <summary>The <paramref name="count"/> rows of keys (headDim each) as int8 key pairs with float scales.</summary>
    public static void UnpackKeys(TensorType type, byte* rows, int rowBytes, int count, int headDim, Q8_0Keys destination)
    {
        var blockBytes = TensorTypeInfo.BlockBytes(type);
        for (var k = 0; k < count; k++)
        {
            for (var b = 0; b < headDim / Block; b++)
            {
                var block = rows + (long)k * rowBytes + b * blockBytes;
                *destination.BlockScale(k, b, headDim) = HalfConversion.ToSingle(*(ushort*)block);
                var quants = destination.BlockQuants(k, b, headDim);
                if (type == TensorType.Q8_0)
                {
                    Vector256.Load((sbyte*)block + 2).Store(quants);
                }
                else
                {
                    var packed = Vector128.Load(block + 2);
                    var low = (packed & Vector128.Create((byte)0x0F)).AsSByte() - Vector128.Create((sbyte)8);
                    var high = (Vector128.ShiftRightLogical(packed.AsUInt16(), 4).AsByte() & Vector128.Create((byte)0x0F)).AsSByte() - Vector128.Create((sbyte)8);
                    low.Store(quants);
                    high.Store(quants + 16);
                }
            }
        }
    }

    /// <summary>Element i (0..31) of a block's quants as a signed value (Q4_0: the nibble minus 8).</summary>
    private static int Quant(TensorType type, byte* quants, int i) =>
        type == TensorType.Q8_0 ? ((sbyte*)quants)[i] : ((quants[i % 16] >> (4 * (i / 16))) & 0x0F) - 8;

    /// <summary>The 32 signed quants of a block as two vectors of 16 int32.</summary>
    private static (Vector512<int> Low, Vector512<int> High) Widen512(TensorType type, byte* quants)
    {
        if (type == TensorType.Q8_0)
            return (Avx512F.ConvertToVector512Int32(Vector128.Load((sbyte*)quants)), Avx512F.ConvertToVector512Int32(Vector128.Load((sbyte*)quants + 16)));
        var packed = Avx512F.ConvertToVector512Int32(Vector128.Load(quants));
        var eight = Vector512.Create(8);
        return ((packed & Vector512.Create(0x0F)) - eight, ((packed >> 4) & Vector512.Create(0x0F)) - eight);
    }
}
