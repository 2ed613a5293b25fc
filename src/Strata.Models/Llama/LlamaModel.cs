using System.Numerics.Tensors;
using Strata.Kernels.MatMul;
using Strata.Kernels.Memory;
using Strata.Kernels.Ops;
using Strata.Kernels.Quant;
using Strata.Kernels.Threading;
using Strata.Models.Gguf;
using Strata.Models.Kv;

namespace Strata.Models.Llama;

/// <summary>
/// A Llama-family decoder (Llama, Mistral, Qwen2, Qwen3): token embedding, blocks of RMSNorm → GQA attention with
/// RoPE → RMSNorm → SwiGLU feed-forward, a final norm and the output projection. The weights are read-only; all
/// per-sequence state lives in the <see cref="KvBuffer"/> the caller hands to <see cref="Forward"/>. One forward
/// pass runs at a time.
/// </summary>
public sealed unsafe class LlamaModel : IDisposable
{
    private readonly ModelWeights _weights;
    private readonly ForwardScratch _scratch;
    private readonly MatMulJob _matmul = new();
    private AttentionJob? _attention;
    private (KvLayout Layout, int Workers) _attentionShape;

    private LlamaModel(ModelConfig config, ModelWeights weights)
    {
        Config = config;
        _weights = weights;
        _scratch = new ForwardScratch(config);
    }

    public ModelConfig Config { get; }

    /// <summary>Binds a model to a GGUF file's tensors; the file must stay open while the model is used.</summary>
    public static LlamaModel Load(GgufFile file)
    {
        var config = ModelConfig.FromGguf(file);
        return new LlamaModel(config, ModelWeights.Bind(file, config));
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
        _scratch.EnsureCapacity(n);
        var s = _scratch;
        var attention = AttentionFor(kv.Layout, pool.ThreadCount);

        Embed(batch.Tokens, s.Hidden);
        FillRopeTables(batch.Positions);

        for (var l = 0; l < c.LayerCount; l++)
        {
            var w = _weights.Layers[l];
            NormRows(s.Hidden, w.AttentionNorm, s.Normed, n);
            _matmul.Run(pool, w.Query, s.Normed.Pointer, n, s.Query.Pointer);
            _matmul.Run(pool, w.Key, s.Normed.Pointer, n, s.Key.Pointer);
            _matmul.Run(pool, w.Value, s.Normed.Pointer, n, s.Value.Pointer);
            AddBias(s.Query, w.QueryBias, n);
            AddBias(s.Key, w.KeyBias, n);
            AddBias(s.Value, w.ValueBias, n);
            PositionQueriesAndKeys(w, n);
            StoreKeysAndValues(batch, kv, l);
            attention.Run(pool, batch, kv, l, s.Query.Pointer, s.Attention.Pointer);
            _matmul.Run(pool, w.Output, s.Attention.Pointer, n, s.Projected.Pointer);
            Accumulate(s.Hidden, s.Projected, n * c.EmbeddingLength);

            NormRows(s.Hidden, w.FeedForwardNorm, s.Normed, n);
            _matmul.Run(pool, w.Gate, s.Normed.Pointer, n, s.Gate.Pointer);
            _matmul.Run(pool, w.Up, s.Normed.Pointer, n, s.Up.Pointer);
            for (var t = 0; t < n; t++)
                SwiGlu.Apply(Row(s.Gate, t, c.FeedForwardLength), Row(s.Up, t, c.FeedForwardLength));
            _matmul.Run(pool, w.Down, s.Gate.Pointer, n, s.Projected.Pointer);
            Accumulate(s.Hidden, s.Projected, n * c.EmbeddingLength);
        }

        var outputs = batch.LogitTokens;
        for (var i = 0; i < outputs.Length; i++)
            RmsNorm.Apply(Row(s.Hidden, outputs[i], c.EmbeddingLength), _weights.OutputNorm, c.RmsEpsilon, Row(s.LogitInputs, i, c.EmbeddingLength));
        _matmul.Run(pool, _weights.Output, s.LogitInputs.Pointer, outputs.Length, s.Logits.Pointer);
        return s.Logits.Slice(0, outputs.Length * c.VocabSize);
    }

    public void Dispose() => _scratch.Dispose();

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
            _attention = new AttentionJob(Config, layout, workers);
            _attentionShape = (layout, workers);
        }
        return _attention;
    }

    private void Embed(ReadOnlySpan<int> tokens, NativeBuffer<float> hidden)
    {
        var table = _weights.TokenEmbedding;
        for (var t = 0; t < tokens.Length; t++)
        {
            var row = new ReadOnlySpan<byte>(table.Row(tokens[t]), (int)table.RowBytes);
            Dequantizer.DequantizeRow(table.Type, row, Row(hidden, t, Config.EmbeddingLength));
        }
    }

    private void FillRopeTables(ReadOnlySpan<int> positions)
    {
        var half = Config.RopeDimensions / 2;
        for (var t = 0; t < positions.Length; t++)
            Rope.FillTable(positions[t], Config.RopeDimensions, Config.RopeFreqBase, Config.RopeFreqScale,
                Row(_scratch.Cos, t, half), Row(_scratch.Sin, t, half));
    }

    private void PositionQueriesAndKeys(LayerWeights w, int n)
    {
        var c = Config;
        var s = _scratch;
        var half = c.RopeDimensions / 2;
        for (var t = 0; t < n; t++)
        {
            var q = Row(s.Query, t, c.QueryDim);
            var k = Row(s.Key, t, c.KvDim);
            if (w.QueryNorm is not null)
                NormHeads(q, w.QueryNorm);
            if (w.KeyNorm is not null)
                NormHeads(k, w.KeyNorm);
            Rope.Apply(q, c.HeadDim, c.RopeStyle, Row(s.Cos, t, half), Row(s.Sin, t, half));
            Rope.Apply(k, c.HeadDim, c.RopeStyle, Row(s.Cos, t, half), Row(s.Sin, t, half));
        }
    }

    private void NormHeads(Span<float> heads, float[] weight)
    {
        for (var h = 0; h < heads.Length; h += Config.HeadDim)
        {
            var head = heads.Slice(h, Config.HeadDim);
            RmsNorm.Apply(head, weight, Config.RmsEpsilon, head);
        }
    }

    private void StoreKeysAndValues(ForwardBatch batch, KvBuffer kv, int layer)
    {
        var blockSize = kv.Layout.BlockSize;
        for (var t = 0; t < batch.TokenCount; t++)
        {
            var position = batch.Positions[t];
            var block = batch.BlockTable(batch.SequenceOf[t])[position / blockSize];
            KvBlockReader.Write(kv.Keys(layer, block), kv.Layout, position % blockSize, Row(_scratch.Key, t, Config.KvDim));
            KvBlockReader.Write(kv.Values(layer, block), kv.Layout, position % blockSize, Row(_scratch.Value, t, Config.KvDim));
        }
    }

    private void NormRows(NativeBuffer<float> input, float[] weight, NativeBuffer<float> output, int n)
    {
        for (var t = 0; t < n; t++)
            RmsNorm.Apply(Row(input, t, Config.EmbeddingLength), weight, Config.RmsEpsilon, Row(output, t, Config.EmbeddingLength));
    }

    private static void AddBias(NativeBuffer<float> rows, float[]? bias, int n)
    {
        if (bias is null)
            return;
        for (var t = 0; t < n; t++)
        {
            var row = Row(rows, t, bias.Length);
            TensorPrimitives.Add(row, bias, row);
        }
    }

    private static void Accumulate(NativeBuffer<float> target, NativeBuffer<float> addend, int count) =>
        TensorPrimitives.Add(target.Slice(0, count), addend.Slice(0, count), target.Slice(0, count));

    private static Span<float> Row(NativeBuffer<float> buffer, int row, int width) => buffer.Slice((long)row * width, width);
}
