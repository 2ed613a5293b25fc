using System.Runtime.InteropServices;

namespace Strata.Kernels.Quant;

/// <summary>
/// Q8_0: 32 weights in 34 bytes, weight[i] = qs[i] * d.
/// <code>
/// offset size  field
///      0    2  d       fp16 scale (block amax / 127)
///      2   32  qs[32]  int8 quants
/// </code>
/// Also the activation format for Q4_0, Q5_0 and Q8_0 weights.
/// </summary>
internal static class Q8_0Block
{
    public const int Elements = 32;
    public const int Bytes = 34;

    private const int ScaleOffset = 0;
    private const int QuantsOffset = 2;

    /// <summary>ggml's <c>quantize_row_q8_0_ref</c>: x is float[32], block is byte[34].</summary>
    public static void Quantize(ReadOnlySpan<float> x, Span<byte> block)
    {
        var amax = 0f;
        foreach (var v in x[..Elements])
            amax = MathF.Max(amax, MathF.Abs(v));

        var d = amax / 127;
        var id = d != 0 ? 1f / d : 0f;
        Fp16.Write(block[ScaleOffset..], d);

        var qs = block.Slice(QuantsOffset, Elements);
        for (var i = 0; i < Elements; i++)
            qs[i] = (byte)(sbyte)Rounding.AwayFromZero(x[i] * id);
    }

    /// <summary>block is byte[34], y is float[32].</summary>
    public static void Dequantize(ReadOnlySpan<byte> block, Span<float> y)
    {
        var d = Fp16.Read(block[ScaleOffset..]);
        var qs = block.Slice(QuantsOffset, Elements);
        for (var i = 0; i < Elements; i++)
            y[i] = (sbyte)qs[i] * d;
    }

    /// <summary>ggml's generic <c>vec_dot_q8_0_q8_0</c> over <paramref name="blocks"/> Q8_0 weight and Q8_0 activation blocks.</summary>
    public static float Dot(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int blocks)
    {
        var sum = 0f;
        for (var b = 0; b < blocks; b++)
        {
            var w = weights.Slice(b * Bytes, Bytes);
            var a = activations.Slice(b * Bytes, Bytes);
            var wq = Quants(w);
            var aq = Quants(a);
            var sumi = 0;
            for (var i = 0; i < Elements; i++)
                sumi += wq[i] * aq[i];
            sum += sumi * (Scale(w) * Scale(a));
        }
        return sum;
    }

    /// <summary>The int8 quants of an activation block, for the dot products of the types that pair with Q8_0.</summary>
    internal static ReadOnlySpan<sbyte> Quants(ReadOnlySpan<byte> block) =>
        MemoryMarshal.Cast<byte, sbyte>(block.Slice(QuantsOffset, Elements));

    internal static float Scale(ReadOnlySpan<byte> block) => Fp16.Read(block[ScaleOffset..]);
}
