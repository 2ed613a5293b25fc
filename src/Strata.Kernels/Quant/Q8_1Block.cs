using System.Runtime.InteropServices;

namespace Strata.Kernels.Quant;

/// <summary>
/// Q8_1: 32 values in 36 bytes, value[i] = qs[i] * d; s caches d * sum(qs) so that the dot product with an
/// affine weight block (Q4_1, Q5_1) gets the weight minimum's contribution without touching the quants.
/// <code>
/// offset size  field
///      0    2  d       fp16 scale (block amax / 127)
///      2    2  s       fp16 d * sum(qs), computed from the float d
///      4   32  qs[32]  int8 quants
/// </code>
/// The activation format for Q4_1 and Q5_1 weights.
/// </summary>
internal static class Q8_1Block
{
    public const int Elements = 32;
    public const int Bytes = 36;

    private const int ScaleOffset = 0;
    private const int SumOffset = 2;
    private const int QuantsOffset = 4;

    /// <summary>ggml's <c>quantize_row_q8_1_ref</c>: x is float[32], block is byte[36].</summary>
    public static void Quantize(ReadOnlySpan<float> x, Span<byte> block)
    {
        var amax = 0f;
        foreach (var v in x[..Elements])
            amax = MathF.Max(amax, MathF.Abs(v));

        var d = amax / 127;
        var id = d != 0 ? 1f / d : 0f;
        Fp16.Write(block[ScaleOffset..], d);

        var qs = block.Slice(QuantsOffset, Elements);
        var sum = 0;
        for (var i = 0; i < Elements; i++)
        {
            var q = (sbyte)Rounding.AwayFromZero(x[i] * id);
            qs[i] = (byte)q;
            sum += q;
        }
        Fp16.Write(block[SumOffset..], sum * d);
    }

    /// <summary>block is byte[36], y is float[32].</summary>
    public static void Dequantize(ReadOnlySpan<byte> block, Span<float> y)
    {
        var d = Scale(block);
        var qs = Quants(block);
        for (var i = 0; i < Elements; i++)
            y[i] = qs[i] * d;
    }

    internal static float Scale(ReadOnlySpan<byte> block) => Fp16.Read(block[ScaleOffset..]);

    /// <summary>d * sum(qs) as stored (fp16).</summary>
    internal static float ScaledSum(ReadOnlySpan<byte> block) => Fp16.Read(block[SumOffset..]);

    internal static ReadOnlySpan<sbyte> Quants(ReadOnlySpan<byte> block) =>
        MemoryMarshal.Cast<byte, sbyte>(block.Slice(QuantsOffset, Elements));
}
