using Strata.Kernels.Ops;

namespace Strata.Models.Llama;

/// <summary>LogitInputs[i] ← RMSNorm(Hidden[LogitTokens[i]]) with the output norm, for the tokens that want logits.</summary>
internal sealed class OutputNormStage(ForwardPass pass, float[] weight) : ITokenStage
{
    public void Run() => pass.PerItem(this, pass.Batch.LogitCount);

    public void Apply(int item)
    {
        var s = pass.Scratch;
        var width = pass.Config.EmbeddingLength;
        var token = pass.Batch.LogitTokens[item];
        RmsNorm.Apply(s.Hidden.Slice((long)token * width, width), weight, pass.Config.RmsEpsilon, s.LogitInputs.Slice((long)item * width, width), pass.Level);
    }
}
