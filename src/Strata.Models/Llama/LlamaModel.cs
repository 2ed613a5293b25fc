using Strata.Kernels.Simd;
using Strata.Kernels.Threading;
using Strata.KvCache;
using Strata.Models.Gguf;
using Strata.Models.Kv;

namespace Strata.Models.Llama;

/// <summary>
/// A Llama-family decoder (Llama, Mistral, Qwen2, Qwen3): token embedding, layers of RMSNorm → attention → RMSNorm →
/// feed-forward, each added into the residual stream, a final norm and the output projection. Which attention and
/// feed-forward a layer has is decided when the weights are bound. The weights are read-only; all per-sequence
/// state lives in the <see cref="KvBuffer"/> the caller hands to <see cref="Forward"/>. One forward pass runs at a
/// time; after the first pass of the largest batch it allocates nothing.
/// </summary>
public sealed unsafe class LlamaModel : IDisposable
{
    private readonly ModelWeights _weights;
    private readonly ForwardPass _pass;
    private readonly EmbedStage _embed;
    private readonly NormStage _norm;
    private readonly OutputNormStage _outputNorm;

    private LlamaModel(ModelConfig config, ModelWeights weights, SimdLevel level)
    {
        Config = config;
        _weights = weights;
        _pass = new ForwardPass(config, level);
        _embed = new EmbedStage(_pass, weights.TokenEmbedding);
        _norm = new NormStage(_pass);
        _outputNorm = new OutputNormStage(_pass, weights.OutputNorm);
    }

    public ModelConfig Config { get; }

    /// <summary>Bytes of weights one decode step reads: every matrix a token passes through, plus one row of the token embedding.</summary>
    public long WeightBytesPerToken =>
        _weights.Output.ByteSize + _weights.TokenEmbedding.RowBytes + _weights.Layers.Sum(l => l.BytesPerToken);

    /// <summary>Binds a model to a GGUF file's tensors; the file must stay open while the model is used.</summary>
    public static LlamaModel Load(GgufFile file) => Load(file, SimdSupport.Level);

    /// <summary>Binds a model whose kernels use <paramref name="level"/> (results are the same at every level).</summary>
    public static LlamaModel Load(GgufFile file, SimdLevel level)
    {
        var config = ModelConfig.FromGguf(file);
        return new LlamaModel(config, ModelWeights.Bind(file, config, level), level);
    }

    /// <summary>The KV block shape this model needs (for latent attention, one cached row per token: keys only).</summary>
    public KvLayout KvLayout(int blockSize, KvDataType dataType) => Config.KvLayout(blockSize, dataType);

    /// <summary>
    /// Runs the batch, storing every token's keys and values at its position in its sequence's blocks, and returns
    /// the logits of the tokens marked for output: [batch.LogitCount, VocabSize], valid until the next call.
    /// </summary>
    public ReadOnlySpan<float> Forward(ForwardBatch batch, KvBuffer kv, ComputePool pool)
    {
        if (batch.TokenCount == 0)
            return [];
        Validate(batch, kv);
        var pass = _pass;
        pass.Begin(batch, kv, pool);

        _embed.Run();
        for (var l = 0; l < Config.LayerCount; l++)
        {
            var layer = _weights.Layers[l];
            _norm.Run(layer.AttentionNorm);
            layer.Attention.Forward(pass, l);
            _norm.Run(layer.FeedForwardNorm);
            layer.FeedForward.Forward(pass);
        }

        _outputNorm.Run();
        var s = pass.Scratch;
        pass.MatMul.Run(pool, _weights.Output, s.LogitInputs.Pointer, batch.LogitCount, s.Logits.Pointer);
        return s.Logits.Slice(0, batch.LogitCount * Config.VocabSize);
    }

    public void Dispose()
    {
        _pass.Dispose();
        _weights.Dispose();
    }

    private void Validate(ForwardBatch batch, KvBuffer kv)
    {
        var layout = kv.Layout;
        if (layout.LayerCount != Config.LayerCount || layout.KvHeadCount != Config.KvHeadCount || layout.HeadDim != Config.HeadDim
            || layout.KeysOnly != (Config.LatentAttention is not null))
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
}
