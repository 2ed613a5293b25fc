using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Strata.Kernels.Quant;

/// <summary>
/// Scalar reference quantization, byte for byte what ggml's <c>quantize_row_*_ref</c> (and so llama-quantize without an
/// importance matrix) writes.
/// </summary>
public static class Quantizer
{
    /// <summary>
    /// Quantizes <paramref name="src"/> (a whole number of blocks) into <paramref name="dst"/>, which must be exactly
    /// <see cref="TensorTypeInfo.RowBytes"/> of <paramref name="src"/>'s length.
    /// </summary>
    public static void QuantizeRow(TensorType type, ReadOnlySpan<float> src, Span<byte> dst)
    {
        var expectedBytes = TensorTypeInfo.RowBytes(type, src.Length);
        if (dst.Length != expectedBytes)
            throw new ArgumentException($"{src.Length} {type} elements take {expectedBytes} bytes, got {dst.Length}", nameof(dst));

        switch (type)
        {
            case TensorType.F32:
                MemoryMarshal.AsBytes(src).CopyTo(dst);
                return;
            case TensorType.F16:
                for (var i = 0; i < src.Length; i++)
                    BinaryPrimitives.WriteUInt16LittleEndian(dst[(2 * i)..], Fp16.FromSingle(src[i]));
                return;
            case TensorType.BF16:
                for (var i = 0; i < src.Length; i++)
                    BinaryPrimitives.WriteUInt16LittleEndian(dst[(2 * i)..], Bf16.FromSingle(src[i]));
                return;
        }

        var blockElements = TensorTypeInfo.BlockElements(type);
        var blockBytes = TensorTypeInfo.BlockBytes(type);
        for (var b = 0; b < src.Length / blockElements; b++)
            QuantizeBlock(type, src.Slice(b * blockElements, blockElements), dst.Slice(b * blockBytes, blockBytes));
    }

    private static void QuantizeBlock(TensorType type, ReadOnlySpan<float> x, Span<byte> block)
    {
        switch (type)
        {
            case TensorType.Q4_0: Q4_0Block.Quantize(x, block); break;
            case TensorType.Q4_1: Q4_1Block.Quantize(x, block); break;
            case TensorType.Q5_0: Q5_0Block.Quantize(x, block); break;
            case TensorType.Q5_1: Q5_1Block.Quantize(x, block); break;
            case TensorType.Q8_0: Q8_0Block.Quantize(x, block); break;
            case TensorType.Q8_1: Q8_1Block.Quantize(x, block); break;
            case TensorType.Q2_K: Q2_KBlock.Quantize(x, block); break;
            case TensorType.Q3_K: Q3_KBlock.Quantize(x, block); break;
            case TensorType.Q4_K: Q4_KBlock.Quantize(x, block); break;
            case TensorType.Q5_K: Q5_KBlock.Quantize(x, block); break;
            case TensorType.Q6_K: Q6_KBlock.Quantize(x, block); break;
            case TensorType.Q8_K: Q8_KBlock.Quantize(x, block); break;
            default: throw new NotSupportedException($"quantizing to {TensorTypeInfo.Describe(type)} is not supported");
        }
    }
}
