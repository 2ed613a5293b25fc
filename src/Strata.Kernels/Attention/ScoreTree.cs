using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Strata.Kernels.Ops;

namespace Strata.Kernels.Attention;

/// <summary>
/// Sixteen dot products q·k_j at once (AVX-512, head size a multiple of 64), each summed in the order of
/// <see cref="Ops.DotProduct.Widened(float*, float*, int, Simd.SimdLevel)"/>: four 16-lane accumulators over 64-element
/// steps, combined (s0 + s2) + (s1 + s3), then halves, quarters and pairs of lanes. The last four levels run on all
/// sixteen keys together as a transpose: each shuffle pair moves the two operands of one level's additions into
/// matching lanes, so every key sees the same additions as its own reduction would, and the result is one vector
/// with key j in lane j instead of sixteen horizontal sums.
/// </summary>
internal static unsafe class ScoreTree
{
    public const int Keys = 16;
    public const int Step = 64;

    /// <summary>Lane j = q·k_j for keys[count ≤ 16, headDim]; lanes from count on are 0.</summary>
    /// <param name="query">[headDim]</param>
    /// <param name="keys">[count, headDim]</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Scores(float* query, float* keys, int count, int headDim)
    {
        // Level 1 (halves): keys 2p and 2p + 1 side by side.
        var h0 = Halves(query, keys, count, headDim, 0);
        var h1 = Halves(query, keys, count, headDim, 2);
        var h2 = Halves(query, keys, count, headDim, 4);
        var h3 = Halves(query, keys, count, headDim, 6);
        var h4 = Halves(query, keys, count, headDim, 8);
        var h5 = Halves(query, keys, count, headDim, 10);
        var h6 = Halves(query, keys, count, headDim, 12);
        var h7 = Halves(query, keys, count, headDim, 14);
        return FromEightLanes(h0, h1, h2, h3, h4, h5, h6, h7);
    }

    /// <summary>
    /// Lane j = the eight-lane sum of key j, in the order of ggml's hsum_float_8 (lanes l + 4 added first, then
    /// (0 + 2) + (1 + 3)), from eight vectors holding keys 2p (lanes 0-7) and 2p + 1 (lanes 8-15) of pair p.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> FromEightLanes(Vector512<float> h0, Vector512<float> h1, Vector512<float> h2, Vector512<float> h3,
        Vector512<float> h4, Vector512<float> h5, Vector512<float> h6, Vector512<float> h7)
    {
        // Level 2 (quarters): 128-bit lane i of w_n holds key 4n + i.
        var w0 = Quarters(h0, h1);
        var w1 = Quarters(h2, h3);
        var w2 = Quarters(h4, h5);
        var w3 = Quarters(h6, h7);
        // Level 3 (lane 0 + lane 2, lane 1 + lane 3), then level 4 (the two pair sums): lane 4i + n holds key i + 4n.
        var sums = Pairs(Pairs(w0, w1, 0x44, 0xEE), Pairs(w2, w3, 0x44, 0xEE), 0x88, 0xDD);
        return Avx512F.PermuteVar16x32(sums, Vector512.Create(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15));
    }

    /// <summary>(s0 + s2) + (s1 + s3) of one key, 16 lanes; zero past the last key.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Lanes(float* query, float* keys, int count, int headDim, int key) =>
        key < count ? DotProduct.FourAccumulators512(query, keys + key * headDim, headDim) : Vector512<float>.Zero;

    /// <summary>[a.low + a.high, b.low + b.high] for keys <paramref name="first"/> and first + 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Halves(float* query, float* keys, int count, int headDim, int first)
    {
        var a = Lanes(query, keys, count, headDim, first);
        var b = Lanes(query, keys, count, headDim, first + 1);
        return Avx512F.Shuffle4x128(a, b, 0x44) + Avx512F.Shuffle4x128(a, b, 0xEE);
    }

    /// <summary>From two level-1 vectors [a | b], [c | d]: 128-bit lanes a0+a1, b0+b1, c0+c1, d0+d1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Quarters(Vector512<float> ab, Vector512<float> cd) =>
        Avx512F.Shuffle4x128(ab, cd, 0x88) + Avx512F.Shuffle4x128(ab, cd, 0xDD);

    /// <summary>Within each 128-bit lane, the elements chosen by <paramref name="first"/> plus those chosen by <paramref name="second"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Pairs(Vector512<float> left, Vector512<float> right, [ConstantExpected] byte first, [ConstantExpected] byte second) =>
        Avx512F.Shuffle(left, right, first) + Avx512F.Shuffle(left, right, second);
}
