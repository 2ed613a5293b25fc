using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Strata.Kernels.Quant;

/// <summary>Scalar reference dequantization, element for element what ggml's <c>dequantize_row_*</c> / <c>to_float</c> produce.</summary>
public static class Dequantizer
{
    /// <summary>
    /// Expands the whole blocks in <paramref name="src"/> into <paramref name="dst"/>; <paramref name="src"/> must be exactly
    /// <see cref="TensorTypeInfo.RowBytes"/> of <paramref name="dst"/>'s length (several rows back to back are fine).
    /// </summary>
    public static void DequantizeRow(TensorType type, ReadOnlySpan<byte> src, Span<float> dst)
    {
        var expectedBytes = TensorTypeInfo.RowBytes(type, dst.Length);
        if (src.Length != expectedBytes)
            throw new ArgumentException($"{dst.Length} {type} elements take {expectedBytes} bytes, got {src.Length}", nameof(src));

        switch (type)
        {
            case TensorType.F32:
                MemoryMarshal.Cast<byte, float>(src).CopyTo(dst);
                return;
            case TensorType.F16:
                for (var i = 0; i < dst.Length; i++)
                    dst[i] = Fp16.ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(src[(2 * i)..]));
                return;
            case TensorType.BF16:
                for (var i = 0; i < dst.Length; i++)
                    dst[i] = Bf16.ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(src[(2 * i)..]));
                return;
        }

        var blockElements = TensorTypeInfo.BlockElements(type);
        var blockBytes = TensorTypeInfo.BlockBytes(type);
        for (var b = 0; b < dst.Length / blockElements; b++)
            DequantizeBlock(type, src.Slice(b * blockBytes, blockBytes), dst.Slice(b * blockElements, blockElements));
    }

    private static void DequantizeBlock(TensorType type, ReadOnlySpan<byte> block, Span<float> y)
    {
        switch (type)
        {
            case TensorType.Q4_0: Q4_0Block.Dequantize(block, y); break;
            case TensorType.Q4_1: Q4_1Block.Dequantize(block, y); break;
            case TensorType.Q5_0: Q5_0Block.Dequantize(block, y); break;
            case TensorType.Q5_1: Q5_1Block.Dequantize(block, y); break;
            case TensorType.Q8_0: Q8_0Block.Dequantize(block, y); break;
            case TensorType.Q8_1: Q8_1Block.Dequantize(block, y); break;
            case TensorType.Q2_K: Q2_KBlock.Dequantize(block, y); break;
            case TensorType.Q3_K: Q3_KBlock.Dequantize(block, y); break;
            case TensorType.Q4_K: Q4_KBlock.Dequantize(block, y); break;
            case TensorType.Q5_K: Q5_KBlock.Dequantize(block, y); break;
            case TensorType.Q6_K: Q6_KBlock.Dequantize(block, y); break;
            case TensorType.Q8_K: Q8_KBlock.Dequantize(block, y); break;
            default: throw new NotSupportedException($"dequantizing {TensorTypeInfo.Describe(type)} is not supported");
        }
    }
}
