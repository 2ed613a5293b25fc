using System.Runtime.Intrinsics;
using Strata.Kernels.Simd;

namespace Strata.Kernels.Ops;

/// <summary>The SwiGLU gate of a Llama feed-forward block: silu(gate) · up.</summary>
public static unsafe class SwiGlu
{
    private const int Lanes = 16;

    /// <summary>gate[i] = gate[i] / (1 + e^-gate[i]) · up[i], in place, for one row of the feed-forward width.</summary>
    public static void Apply(Span<float> gate, ReadOnlySpan<float> up, SimdLevel level)
    {
        if (up.Length != gate.Length)
            throw new ArgumentException($"gate has {gate.Length} elements, up {up.Length}");
        fixed (float* g = gate, u = up)
            Apply(g, u, 0, gate.Length, gate.Length, level);
    }

    /// <summary>
    /// Applies SwiGLU to elements [start, end) of a row of <paramref name="width"/>; start must be a multiple of 16.
    /// Like ggml, the polynomial exp covers whole groups of 16 from the row's start and libm's expf the rest, so a
    /// row split into pieces gets the same values as the whole row.
    /// </summary>
    public static void Apply(float* gate, float* up, int start, int end, int width, SimdLevel level)
    {
        var vectorEnd = Math.Min(end, width / Lanes * Lanes);
        var i = start;
        for (; i < vectorEnd; i += Lanes)
        {
            switch (level)
            {
                case SimdLevel.Avx512:
                {
                    var g = Vector512.Load(gate + i);
                    var silu = g / (Vector512<float>.One + VectorExp.Exp(-g));
                    (silu * Vector512.Load(up + i)).Store(gate + i);
                    break;
                }
                case SimdLevel.Avx2:
                    for (var h = 0; h < Lanes; h += 8)
                    {
                        var g = Vector256.Load(gate + i + h);
                        var silu = g / (Vector256<float>.One + VectorExp.Exp(-g));
                        (silu * Vector256.Load(up + i + h)).Store(gate + i + h);
                    }
                    break;
                default:
                    for (var k = i; k < i + Lanes; k++)
                        gate[k] = gate[k] / (1f + VectorExp.Exp(-gate[k])) * up[k];
                    break;
            }
        }
        for (; i < end; i++)
        {
            var g = gate[i];
            gate[i] = g / (1f + MathF.Exp(-g)) * up[i];
        }
    }
}
