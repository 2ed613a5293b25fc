using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Strata.Kernels.Quant;

/// <summary>
/// Q8_K: 256 values in 292 bytes, value[i] = qs[i] * d. Only ever an activation format (for the K-quant weights),
/// so the scale is a full float and the sums of each 16 quants are cached for the weight minimums' contribution.
/// <code>
/// offset size  field
///      0    4  d          float scale (the signed value of largest magnitude / -127)
///      4  256  qs[256]    int8 quants
///    260   32  bsums[16]  int16 sum of qs[16 g .. 16 g + 15]
/// </code>
/// </summary>
internal static class Q8_KBlock
{
    public const int Elements = 256;
    public const int Bytes = 292;
    public const int GroupSize = 16;

    private const int ScaleOffset = 0;
    private const int QuantsOffset = 4;
    private const int GroupSumsOffset = 260;

    /// <summary>ggml's <c>quantize_row_q8_K_ref</c>: x is float[256], block is byte[292].</summary>
    public static void Quantize(ReadOnlySpan<float> x, Span<byte> block)
    {
        var amax = 0f;
        var max = 0f;
        foreach (var v in x[..Elements])
        {
            if (MathF.Abs(v) > amax)
            {
                amax = MathF.Abs(v);
                max = v;
            }
        }

        // ggml leaves an all-zero block's bsums unwritten; here they are zero like everything else.
        block[..Bytes].Clear();
        if (amax == 0)
            return;

        // -127 rather than -128 keeps every quant within ±127, which the SIMD kernels' sign tricks rely on.
        var iscale = -127f / max;
        var qs = block.Slice(QuantsOffset, Elements);
        for (var i = 0; i < Elements; i++)
            qs[i] = (byte)(sbyte)Math.Min(127, Rounding.NearestEven(iscale * x[i]));

        var quants = Quants(block);
        for (var g = 0; g < Elements / GroupSize; g++)
        {
            var sum = 0;
            foreach (var q in quants.Slice(g * GroupSize, GroupSize))
                sum += q;
            BinaryPrimitives.WriteInt16LittleEndian(block[(GroupSumsOffset + 2 * g)..], (short)sum);
        }
        BinaryPrimitives.WriteSingleLittleEndian(block[ScaleOffset..], 1 / iscale);
    }

    /// <summary>block is byte[292], y is float[256].</summary>
    public static void Dequantize(ReadOnlySpan<byte> block, Span<float> y)
    {
        var d = Scale(block);
        var qs = Quants(block);
        for (var i = 0; i < Elements; i++)
            y[i] = d * qs[i];
    }

    internal static float Scale(ReadOnlySpan<byte> block) => BinaryPrimitives.ReadSingleLittleEndian(block[ScaleOffset..]);

    internal static ReadOnlySpan<sbyte> Quants(ReadOnlySpan<byte> block) =>
        MemoryMarshal.Cast<byte, sbyte>(block.Slice(QuantsOffset, Elements));

    /// <summary>The cached sum of quants 16 g .. 16 g + 15.</summary>
    internal static int GroupSum(ReadOnlySpan<byte> block, int g) =>
        BinaryPrimitives.ReadInt16LittleEndian(block[(GroupSumsOffset + 2 * g)..]);
}
