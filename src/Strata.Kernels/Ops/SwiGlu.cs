namespace Strata.Kernels.Ops;

/// <summary>The SwiGLU gate of a Llama feed-forward block: silu(gate) · up.</summary>
public static class SwiGlu
{
    /// <summary>gate[i] = gate[i] / (1 + e^-gate[i]) · up[i], in place.</summary>
    public static void Apply(Span<float> gate, ReadOnlySpan<float> up)
    {
        for (var i = 0; i < gate.Length; i++)
        {
            var g = gate[i];
            gate[i] = g / (1f + MathF.Exp(-g)) * up[i];
        }
    }
}
