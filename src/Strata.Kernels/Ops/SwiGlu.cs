using System.Runtime.Intrinsics;

namespace Strata.Kernels.Ops;

/// <summary>The SwiGLU gate of a Llama feed-forward block: silu(gate) · up.</summary>
public static class SwiGlu
{
    /// <summary>gate[i] = gate[i] / (1 + e^-gate[i]) · up[i], in place.</summary>
    public static void Apply(Span<float> gate, ReadOnlySpan<float> up)
    {
        var i = 0;
        if (VectorExp.IsSupported)
        {
            for (; i + Vector512<float>.Count <= gate.Length; i += Vector512<float>.Count)
            {
                var g = Vector512.Create<float>(gate.Slice(i, Vector512<float>.Count));
                var u = Vector512.Create(up.Slice(i, Vector512<float>.Count));
                var silu = g / (Vector512<float>.One + VectorExp.Exp(Vector512<float>.Zero - g));
                (silu * u).CopyTo(gate.Slice(i, Vector512<float>.Count));
            }
        }
        for (; i < gate.Length; i++)
        {
            var g = gate[i];
            gate[i] = g / (1f + MathF.Exp(-g)) * up[i];
        }
    }
}
