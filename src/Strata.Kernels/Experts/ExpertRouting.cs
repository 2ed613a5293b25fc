namespace Strata.Kernels.Experts;

/// <summary>How a layer's router picks and weights a token's experts.</summary>
/// <param name="Used">Experts per token (top-k).</param>
/// <param name="Normalize">Divide the chosen experts' weights by their sum (<c>expert_weights_norm</c>).</param>
/// <param name="Scale">Multiply the weights by this (<c>expert_weights_scale</c>); 0 and 1 leave them as they are.</param>
public sealed record ExpertRouting(int Used, ExpertGating Gating, bool Normalize, float Scale);
