using Strata.Kernels.MatMul;
using Strata.Kernels.Simd;
using Strata.Kernels.Threading;
using Strata.KvCache;
using Strata.Models.Gguf;
using Strata.Models.Kv;

namespace Strata.Models.Llama;

/// <summary>
/// A Llama-family decoder (Llama, Mistral, Qwen2, Qwen3): token embedding, blocks of RMSNorm → GQA attention with
/// RoPE → RMSNorm → SwiGLU feed-forward, a final norm and the output projection. The weights are read-only; all
/// per-sequence state lives in the <see cref="KvBuffer"/> the caller hands to <see cref="Forward"/>. One forward
/// pass runs at a time; after the first pass of the largest batch it allocates nothing.
/// </summary>
public sealed unsafe class LlamaModel : IDisposable
{
    private readonly ModelWeights _weights;
    private readonly ForwardScratch _scratch;
    private readonly MatMulJob _matmul;
    private readonly TokenStageJob _stages;
    private readonly SimdLevel _level;
    private AttentionJob? _attention;
    private (KvLayout Layout, int Workers) _attentionShape;

    private LlamaModel(ModelConfig config, ModelWeights weights, SimdLevel level)
    {
        Config = config;
        _weights = weights;
        _level = level;
        _scratch = new ForwardScratch(config);
        _matmul = new MatMulJob(level);
        _stages = new TokenStageJob(config, weights, _scratch, level);
    }

    public ModelConfig Config { get; }

    /// <summary>Bytes of weights one decode step reads: every matrix, plus one row of the token embedding.</summary>
    public long WeightBytesPerToken =>
        _weights.Output.ByteSize + _weights.TokenEmbedding.RowBytes + _weights.Layers.Sum(l =>
            l.Query.ByteSize + l.Key.ByteSize + l.Value.ByteSize + l.Output.ByteSize + l.Gate.ByteSize + l.Up.ByteSize + l.Down.ByteSize);

    /// <summary>Binds a model to a GGUF file's tensors; the file must stay open while the model is used.</summary>
    public static LlamaModel Load(GgufFile file) => Load(file, SimdSupport.Level);

    /// <summary>Binds a model whose kernels use <paramref name="level"/> (results are the same at every level).</summary>
    public static LlamaModel Load(GgufFile file, SimdLevel level)
    {
        var config = ModelConfig.FromGguf(file);
        return new LlamaModel(config, ModelWeights.Bind(file, config), level);
    }

    /// <summary>The KV block shape this model needs.</summary>
    public KvLayout KvLayout(int blockSize, KvDataType dataType) =>
        new(Config.LayerCount, Config.KvHeadCount, Config.HeadDim, blockSize, dataType);

    /// <summary>
    /// Runs the batch, storing every token's keys and values at its position in its sequence's blocks, and returns
    /// the logits of the tokens marked for output: [batch.LogitCount, VocabSize], valid until the next call.
    /// </summary>
    public ReadOnlySpan<float> Forward(ForwardBatch batch, KvBuffer kv, ComputePool pool)
    {
        var c = Config;
        var n = batch.TokenCount;
        if (n == 0)
            return [];
        Validate(batch, kv);
        _scratch.EnsureCapacity(n, batch.LogitCount);
        var s = _scratch;
        var attention = AttentionFor(kv.Layout, pool.ThreadCount);

        _stages.Run(pool, TokenStageJob.Stage.Embed, batch, kv, 0);
        for (var l = 0; l < c.LayerCount; l++)
        {
            var w = _weights.Layers[l];
            _stages.Run(pool, TokenStageJob.Stage.NormAttention, batch, kv, l);
            _matmul.Run(pool, s.Normed.Pointer, n, w.Query, s.Query.Pointer, w.Key, s.Key.Pointer, w.Value, s.Value.Pointer);
            _stages.Run(pool, TokenStageJob.Stage.PositionAndStore, batch, kv, l);
            attention.Run(pool, batch, kv, l, s.Query.Pointer, s.Attention.Pointer);
            _matmul.Run(pool, w.Output, s.Attention.Pointer, n, s.Hidden.Pointer, accumulate: true);

            _stages.Run(pool, TokenStageJob.Stage.NormFeedForward, batch, kv, l);
            _matmul.RunGated(pool, w.Gate, w.Up, s.Normed.Pointer, n, s.Gate.Pointer, s.Up.Pointer);
            _matmul.Run(pool, w.Down, s.Gate.Pointer, n, s.Hidden.Pointer, accumulate: true);
        }

        _stages.Run(pool, TokenStageJob.Stage.NormOutputs, batch, kv, 0);
        _matmul.Run(pool, _weights.Output, s.LogitInputs.Pointer, batch.LogitCount, s.Logits.Pointer);
        return s.Logits.Slice(0, batch.LogitCount * c.VocabSize);
    }

    public void Dispose()
    {
        _attention?.Dispose();
        _matmul.Dispose();
        _scratch.Dispose();
        _weights.Dispose();
    }

    private void Validate(ForwardBatch batch, KvBuffer kv)
    {
        if (kv.Layout.LayerCount != Config.LayerCount || kv.Layout.KvHeadCount != Config.KvHeadCount || kv.Layout.HeadDim != Config.HeadDim)
            throw new ArgumentException($"KV buffer layout {kv.Layout} does not fit the model");
        for (var t = 0; t < batch.TokenCount; t++)
        {
            var token = batch.Tokens[t];
            if ((uint)token >= (uint)Config.VocabSize)
                throw new ArgumentOutOfRangeException(nameof(batch), $"token id {token} is outside the vocabulary of {Config.VocabSize}");
            var position = batch.Positions[t];
            if (position < 0 || position / kv.Layout.BlockSize >= batch.BlockTable(batch.SequenceOf[t]).Length)
                throw new ArgumentOutOfRangeException(nameof(batch), $"position {position} is not covered by its block table");
        }
    }

    private AttentionJob AttentionFor(KvLayout layout, int workers)
    {
        if (_attention is null || _attentionShape != (layout, workers))
        {
            _attention?.Dispose();
            _attention = new AttentionJob(Config, layout, workers, _level);
            _attentionShape = (layout, workers);
        }
        return _attention;
    }
}
