using Strata.Kernels.Experts;

namespace Strata.Models.Synth;

/// <summary>The mixture of experts of a synthetic sparse model; the shape's ffn is one routed expert's width.</summary>
/// <param name="Count">Routed experts per MoE layer.</param>
/// <param name="Used">Experts per token.</param>
/// <param name="Shared">Shared experts (each of the routed width; qwen2moe's one shared network is Shared times as wide).</param>
/// <param name="LeadingDenseLayers">DeepSeek's first layers with a dense network of (Used + Shared) experts' width.</param>
/// <param name="Gating">deepseek2 only: softmax (V2, weights unnormalised) or sigmoid (V3 style: a selection bias,
/// normalised weights scaled by 2.5).</param>
public sealed record SyntheticExperts(int Count, int Used, int Shared, int LeadingDenseLayers, ExpertGating Gating = ExpertGating.Softmax)
{
    /// <summary>8 experts, 2 used, and what the architecture has besides: qwen2moe one shared expert, deepseek2 two and one leading dense layer.</summary>
    public static SyntheticExperts For(string architecture) => architecture switch
    {
        "qwen2moe" => new(8, 2, 1, 0),
        "deepseek2" => new(8, 2, 2, 1),
        _ => new(8, 2, 0, 0),
    };
}
