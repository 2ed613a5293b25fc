using Strata.Kernels.Ops;

namespace Strata.Models.Llama;

/// <summary>Normed[t] ← RMSNorm(Hidden[t]) with one of a layer's norm weights.</summary>
internal sealed class NormStage(ForwardPass pass) : ITokenStage
{
    private float[] _weight = [];

    public void Run(float[] weight)
    {
        _weight = weight;
        pass.PerToken(this);
    }

    public void Apply(int item)
    {
        var s = pass.Scratch;
        var width = pass.Config.EmbeddingLength;
        RmsNorm.Apply(s.Hidden.Slice((long)item * width, width), _weight, pass.Config.RmsEpsilon, s.Normed.Slice((long)item * width, width), pass.Level);
    }
}
