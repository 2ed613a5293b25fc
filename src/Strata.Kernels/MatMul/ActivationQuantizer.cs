using Strata.Kernels.Quant;

namespace Strata.Kernels.MatMul;

/// <summary>
/// Quantizes activation rows the way ggml's x86 CPU backend does before a quantized dot product. For Q8_0 and
/// Q8_1 that differs from the reference quantizer used for weights: the inverse scale is 127/amax (not 1/d) and
/// halves round to even. Matching it keeps our logits within float noise of llama.cpp's.
/// </summary>
public static class ActivationQuantizer
{
    private const int Block = 32;

    /// <summary>Quantizes <paramref name="x"/> into <paramref name="destination"/> in <paramref name="type"/>'s block layout.</summary>
    public static void QuantizeRow(TensorType type, ReadOnlySpan<float> x, Span<byte> destination)
    {
        switch (type)
        {
            case TensorType.Q8_0:
                // block: fp16 d, int8 qs[32]
                for (var b = 0; b < x.Length / Block; b++)
                    QuantizeBlock(x.Slice(b * Block, Block), destination.Slice(b * 34, 34), scaleBytes: 2, withSum: false);
                break;
            case TensorType.Q8_1:
                // block: fp16 d, fp16 s = d·Σqs, int8 qs[32]
                for (var b = 0; b < x.Length / Block; b++)
                    QuantizeBlock(x.Slice(b * Block, Block), destination.Slice(b * 36, 36), scaleBytes: 4, withSum: true);
                break;
            default:
                Quantizer.QuantizeRow(type, x, destination);
                break;
        }
    }

    private static void QuantizeBlock(ReadOnlySpan<float> x, Span<byte> block, int scaleBytes, bool withSum)
    {
        var amax = 0f;
        foreach (var v in x)
            amax = MathF.Max(amax, MathF.Abs(v));
        var d = amax / 127f;
        var inverse = amax != 0 ? 127f / amax : 0f;
        var sum = 0;
        for (var i = 0; i < Block; i++)
        {
            var q = (int)MathF.Round(x[i] * inverse);
            sum += q;
            block[scaleBytes + i] = (byte)(sbyte)q;
        }
        WriteHalf(block, d);
        if (withSum)
            WriteHalf(block[2..], d * sum);
    }

    private static void WriteHalf(Span<byte> destination, float value) =>
        System.Buffers.Binary.BinaryPrimitives.WriteHalfLittleEndian(destination, (Half)value);
}
