using Strata.Kernels.MatMul;

namespace Strata.Models.Llama.FeedForward;

/// <summary>A SwiGLU feed-forward network: down(silu(gate·x) · up·x).</summary>
internal sealed unsafe class DenseFeedForward : IFeedForwardBlock
{
    private readonly FeedForwardWorkspace _workspace;
    private readonly PackedMatrix _gate;
    private readonly PackedMatrix _up;
    private readonly PackedMatrix _down;

    private DenseFeedForward(FeedForwardWorkspace workspace, PackedMatrix gate, PackedMatrix up, PackedMatrix down)
    {
        _workspace = workspace;
        _gate = gate;
        _up = up;
        _down = down;
    }

    public long BytesPerToken => _gate.ByteSize + _up.ByteSize + _down.ByteSize;

    /// <summary>Binds blk.N.ffn_{gate,up,down}{suffix}.weight of <paramref name="width"/> (suffix "_shexp": shared experts).</summary>
    public static DenseFeedForward Bind(TensorBinder b, ModelConfig config, int layer, int width, FeedForwardWorkspace workspace, string suffix = "")
    {
        string N(string name) => $"blk.{layer}.{name}{suffix}.weight";
        return new DenseFeedForward(workspace,
            b.Packed(N("ffn_gate"), width, config.EmbeddingLength),
            b.Packed(N("ffn_up"), width, config.EmbeddingLength),
            b.Packed(N("ffn_down"), config.EmbeddingLength, width));
    }

    public void Forward(ForwardPass pass) =>
        Apply(pass, pass.Scratch.Normed.Pointer, pass.TokenCount, pass.Scratch.Hidden.Pointer, accumulate: true);

    /// <summary>output[t] = (or +=) down(silu(gate·input[t]) · up·input[t]).</summary>
    /// <param name="input">[tokens, embedding]</param>
    /// <param name="output">[tokens, embedding]</param>
    public void Apply(ForwardPass pass, float* input, int tokens, float* output, bool accumulate)
    {
        var w = _workspace;
        w.EnsureCapacity(tokens, _gate.Rows);
        pass.MatMul.RunGated(pass.Pool, _gate, _up, input, tokens, w.Gate.Pointer, w.Up.Pointer);
        pass.MatMul.Run(pass.Pool, _down, w.Gate.Pointer, tokens, output, accumulate);
    }

    public void Dispose()
    {
        _gate.Dispose();
        _up.Dispose();
        _down.Dispose();
    }
}
