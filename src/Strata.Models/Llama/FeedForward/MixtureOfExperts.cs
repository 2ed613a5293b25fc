using Strata.Kernels.Experts;
using Strata.Kernels.MatMul;

namespace Strata.Models.Llama.FeedForward;

/// <summary>
/// A mixture of experts in llama.cpp's arithmetic: a router picks each token's top-k experts (see
/// <see cref="ExpertRouter"/>), the batch's tokens are grouped by expert so each chosen expert's SwiGLU weights are
/// read once (<see cref="ExpertMatMul"/>), and the experts' outputs, weighted, are summed in rank order; the shared
/// experts (DeepSeek, Qwen2-MoE), gated by a sigmoid where the model has one, are added after them, and the total
/// is added into the residual stream.
/// </summary>
internal sealed unsafe class MixtureOfExperts : IFeedForwardBlock
{
    private readonly ModelConfig _config;
    private readonly ExpertConfig _experts;
    private readonly ExpertWorkspace _workspace;
    private readonly ExpertRouting _routing;
    private readonly PackedMatrix _router;
    private readonly float[]? _selectionBias;
    private readonly PackedMatrix[] _gates;
    private readonly PackedMatrix[] _ups;
    private readonly PackedMatrix[] _downs;
    private readonly DenseFeedForward? _shared;
    private readonly PackedMatrix? _sharedGate;
    private readonly RouteStage _route;
    private readonly CombineStage _combine;

    private MixtureOfExperts(ModelConfig config, ExpertWorkspace workspace, FeedForwardWorkspace sharedWorkspace, TensorBinder b, int layer)
    {
        var e = config.Experts!;
        _config = config;
        _experts = e;
        _workspace = workspace;
        _routing = e.Routing;
        string N(string name) => $"blk.{layer}.{name}";
        var embedding = config.EmbeddingLength;
        _router = b.Packed(N("ffn_gate_inp.weight"), e.Count, embedding);
        _selectionBias = b.OptionalVector(N("exp_probs_b.bias"), e.Count);
        _gates = b.Stack(N("ffn_gate_exps.weight"), e.Count, e.FeedForwardLength, embedding);
        _ups = b.Stack(N("ffn_up_exps.weight"), e.Count, e.FeedForwardLength, embedding);
        _downs = b.Stack(N("ffn_down_exps.weight"), e.Count, embedding, e.FeedForwardLength);
        if (e.SharedFeedForwardLength > 0)
            _shared = DenseFeedForward.Bind(b, config, layer, e.SharedFeedForwardLength, sharedWorkspace, "_shexp");
        if (e.SharedGate)
            _sharedGate = b.PackedRow(N("ffn_gate_inp_shexp.weight"), embedding);
        _route = new RouteStage(this);
        _combine = new CombineStage(this);
    }

    /// <summary>The router, the experts a token is routed to (used of count), and the shared experts.</summary>
    public long BytesPerToken =>
        _router.ByteSize + (_shared?.BytesPerToken ?? 0) + (_sharedGate?.ByteSize ?? 0)
        + (_gates[0].ByteSize + _ups[0].ByteSize + _downs[0].ByteSize) * _experts.UsedCount;

    public static MixtureOfExperts Bind(TensorBinder binder, ModelConfig config, int layer, ExpertWorkspace workspace, FeedForwardWorkspace sharedWorkspace) =>
        new(config, workspace, sharedWorkspace, binder, layer);

    public void Forward(ForwardPass pass)
    {
        var n = pass.TokenCount;
        var w = _workspace;
        var normed = pass.Scratch.Normed.Pointer;
        w.EnsureCapacity(n);
        pass.MatMul.Run(pass.PoolFor(_router), _router, normed, n, w.RouterLogits.Pointer);
        _route.Run(pass);
        w.MatMul.Run(pass.Pool, pass.MatMul, _gates, _ups, _downs, normed, n, w.Chosen.AsSpan(0, n * _experts.UsedCount),
            _experts.UsedCount, w.ExpertOutputs.Pointer);
        _shared?.Apply(pass, normed, n, w.SharedOutput.Pointer, accumulate: false);
        if (_sharedGate is not null)
            pass.MatMul.Run(pass.PoolFor(_sharedGate), _sharedGate, normed, n, w.SharedGateLogits.Pointer);
        _combine.Run(pass);
    }

    public void Dispose()
    {
        _router.Dispose();
        foreach (var matrix in _gates.Concat(_ups).Concat(_downs))
            matrix.Dispose();
        _shared?.Dispose();
        _sharedGate?.Dispose();
    }

    /// <summary>Each token's experts and weights from its router logits.</summary>
    private sealed class RouteStage(MixtureOfExperts moe) : ITokenStage
    {
        public void Run(ForwardPass pass) => pass.PerToken(this);

        public void Apply(int item)
        {
            var e = moe._experts;
            var w = moe._workspace;
            var used = e.UsedCount;
            ExpertRouter.Route(w.RouterLogits.Row(item, e.Count), moe._selectionBias, moe._routing, w.Probabilities.Row(item, e.Count),
                w.Chosen.AsSpan(item * used, used), w.Weights.Row(item, used));
        }
    }

    /// <summary>
    /// Hidden[t] += Σ_k weight_k · expert_k(t) (+ shared(t) · gate(t)), rounded as ggml does: each product, then the
    /// running sum in rank order, the shared term, and the residual last.
    /// </summary>
    private sealed class CombineStage(MixtureOfExperts moe) : ITokenStage
    {
        private ForwardPass _pass = null!;

        public void Run(ForwardPass pass)
        {
            _pass = pass;
            pass.PerToken(this);
        }

        public void Apply(int item)
        {
            var width = moe._config.EmbeddingLength;
            var used = moe._experts.UsedCount;
            var w = moe._workspace;
            var hidden = _pass.Scratch.Hidden.Pointer + (long)item * width;
            var outputs = w.ExpertOutputs.Pointer + (long)item * used * width;
            var weights = w.Weights.Pointer + item * used;
            var shared = moe._shared is null ? null : w.SharedOutput.Pointer + (long)item * width;
            var gate = moe._sharedGate is null ? 1f : SharedGate(w.SharedGateLogits.Pointer[item]);
            for (var i = 0; i < width; i++)
            {
                var sum = outputs[i] * weights[0];
                for (var k = 1; k < used; k++)
                    sum += outputs[(long)k * width + i] * weights[k];
                if (shared is not null)
                    sum += moe._sharedGate is null ? shared[i] : shared[i] * gate;
                hidden[i] = sum + hidden[i];
            }
        }

        /// <summary>sigmoid(x) the way Qwen2-MoE's graph computes it: silu(x) / x.</summary>
        private static float SharedGate(float x) => x / (1f + MathF.Exp(-x)) / x;
    }
}
