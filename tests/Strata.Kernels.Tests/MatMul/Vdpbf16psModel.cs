using Strata.Kernels.Quant;

namespace Strata.Kernels.Tests.MatMul;

/// <summary>
/// One lane of vdpbf16ps as Intel's pseudocode defines it (SDM, VDPBF16PS): srcdest += the odd pair's product, then
/// += the even pair's, each an f32 fused multiply-add with denormal inputs read as zero, a denormal result flushed to
/// zero (sign kept) and round to nearest even, whatever MXCSR says. A bf16 × bf16 product is exact in f32 unless it
/// leaves f32's range, so only the additions round. Written plainly over a row as stored, not the packed layout.
/// </summary>
internal static class Vdpbf16psModel
{
    /// <summary>
    /// One output as the pairs kernel sums it: a single lane over the pairs of the row in order, activations rounded
    /// to bf16 first; an odd length's last pair has a zero odd element.
    /// </summary>
    public static float SerialDot(ReadOnlySpan<ushort> weights, ReadOnlySpan<float> activations)
    {
        var sum = 0f;
        for (var e = 0; e < weights.Length; e += 2)
        {
            var odd = e + 1 < weights.Length;
            sum = Lane(sum, weights[e], odd ? weights[e + 1] : (ushort)0,
                Bf16.FromSingle(activations[e]), odd ? Bf16.FromSingle(activations[e + 1]) : (ushort)0);
        }
        return sum;
    }

    /// <summary>acc + w1·x1 + w0·x0 for one lane (element 1 of each pair first).</summary>
    public static float Lane(float acc, ushort w0, ushort w1, ushort x0, ushort x1) =>
        Add(Add(acc, w1, x1), w0, x0);

    private static float Add(float acc, ushort w, ushort x) =>
        FlushDenormal(MathF.FusedMultiplyAdd(FlushDenormal(Bf16.ToSingle(w)), FlushDenormal(Bf16.ToSingle(x)), FlushDenormal(acc)));

    private static float FlushDenormal(float value) => float.IsSubnormal(value) ? MathF.CopySign(0f, value) : value;
}
