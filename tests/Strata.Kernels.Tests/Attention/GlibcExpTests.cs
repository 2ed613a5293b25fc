using System.Runtime.Intrinsics;
using Strata.Kernels.Attention;
using Strata.Kernels.Simd;

namespace Strata.Kernels.Tests.Attention;

/// <summary>
/// The reproduced expf against <see cref="MathF.Exp"/> (glibc's expf on this machine: what the old kernel and ggml
/// call). Every one of the 2^32 inputs agreed when this was written; the tests sample them.
/// </summary>
public sealed class GlibcExpTests
{
    private static readonly float[] EdgeCases =
    [
        0f, -0f, float.NegativeInfinity, float.PositiveInfinity, float.NaN, float.Epsilon, -float.Epsilon,
        -87.33655f, -88f, -88.5f, -100f, -103.27893f, -103.2789f, -103.5f, -103.97207f, -103.97208f, -104f, -150f,
        88f, 88.72283f, 88.72284f, 89f, -1e-8f, 1e-8f, -0.5f, 0.5f, float.MinValue, float.MaxValue,
    ];

    [Fact]
    public void Exp_SampledBitPatternsAndEdges_EqualsLibm()
    {
        for (var bits = 0L; bits <= uint.MaxValue; bits += 251)
            AssertSame(BitConverter.UInt32BitsToSingle((uint)bits));
        foreach (var x in EdgeCases)
            AssertSame(x);
        // Softmax arguments: every float in [−30, 0] with a short mantissa stride.
        for (var x = -30f; x < 0f; x = BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(x) - 7))
            AssertSame(x);
    }

    [Fact]
    public void Exp_Vectors_EqualScalarLaneByLane()
    {
        var random = new Random(3);
        var inputs = EdgeCases.Concat(Enumerable.Range(0, 100_000).Select(_ => BitConverter.UInt32BitsToSingle((uint)random.NextInt64(0, 1L << 32))))
            .Concat(Enumerable.Range(0, 100_000).Select(_ => -120f * random.NextSingle())).ToArray();
        Array.Resize(ref inputs, inputs.Length / 16 * 16);
        if (SimdSupport.IsSupported(SimdLevel.Avx512))
        {
            var results = new float[16];
            for (var i = 0; i < inputs.Length; i += 16)
            {
                GlibcExp.Exp(Vector512.Create<float>(inputs.AsSpan(i, 16))).CopyTo(results);
                AssertLanes(inputs.AsSpan(i, 16), results);
            }
        }
        if (SimdSupport.IsSupported(SimdLevel.Avx2))
        {
            var results = new float[8];
            for (var i = 0; i < inputs.Length; i += 8)
            {
                GlibcExp.Exp(Vector256.Create<float>(inputs.AsSpan(i, 8))).CopyTo(results);
                AssertLanes(inputs.AsSpan(i, 8), results);
            }
        }
    }

    private static void AssertLanes(ReadOnlySpan<float> inputs, float[] results)
    {
        for (var lane = 0; lane < inputs.Length; lane++)
            Assert.Equal(BitConverter.SingleToUInt32Bits(GlibcExp.Exp(inputs[lane])), BitConverter.SingleToUInt32Bits(results[lane]));
    }

    private static void AssertSame(float x)
    {
        var expected = MathF.Exp(x);
        var actual = GlibcExp.Exp(x);
        if (float.IsNaN(expected) ? !float.IsNaN(actual) : BitConverter.SingleToUInt32Bits(expected) != BitConverter.SingleToUInt32Bits(actual))
            Assert.Fail($"exp({x:R}) = {actual:R}, libm gives {expected:R}");
    }
}
