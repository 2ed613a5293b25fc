namespace Strata.Kernels.Ops;

/// <summary>Which elements of a head RoPE rotates together.</summary>
public enum RopeStyle
{
    /// <summary>Adjacent pairs (2i, 2i+1), as in the original Llama weights layout.</summary>
    Normal,

    /// <summary>Halves (i, i + d/2), as in GPT-NeoX, Qwen2 and others.</summary>
    NeoX,
}
