using Strata.Kernels.Memory;
using Strata.Kernels.Ops;
using Strata.Kernels.Quant;
using Strata.Kernels.Simd;
using Strata.Kernels.Threading;
using Strata.Models.Kv;

namespace Strata.Models.Llama;

/// <summary>
/// The per-token steps of a forward pass between the matmuls: embedding lookup and RoPE tables, RMSNorm, and the
/// fused bias + QK-norm + RoPE + KV-cache store. Tokens are independent, so a large batch is split across the pool
/// by tokens; a small one (a decode step) runs on the calling thread, cheaper than a dispatch.
/// </summary>
internal sealed unsafe class TokenStageJob : IComputeJob
{
    private const int ParallelTokens = 8;

    private readonly ModelConfig _config;
    private readonly ModelWeights _weights;
    private readonly ForwardScratch _scratch;
    private readonly SimdLevel _level;
    private ForwardBatch _batch = null!;
    private KvBuffer _kv = null!;
    private Stage _stage;
    private int _layer;

    public TokenStageJob(ModelConfig config, ModelWeights weights, ForwardScratch scratch, SimdLevel level)
    {
        _config = config;
        _weights = weights;
        _scratch = scratch;
        _level = level;
    }

    public enum Stage
    {
        /// <summary>Hidden ← token embedding; RoPE cos/sin tables for the token's position.</summary>
        Embed,

        /// <summary>Normed ← RMSNorm(Hidden) with the layer's attention norm.</summary>
        NormAttention,

        /// <summary>Biases, QK-norm and RoPE on the token's queries and keys; its keys and values stored in the cache.</summary>
        PositionAndStore,

        /// <summary>Normed ← RMSNorm(Hidden) with the layer's feed-forward norm.</summary>
        NormFeedForward,

        /// <summary>LogitInputs[i] ← RMSNorm(Hidden[LogitTokens[i]]) with the output norm; runs over logit rows, not tokens.</summary>
        NormOutputs,
    }

    public void Run(ComputePool pool, Stage stage, ForwardBatch batch, KvBuffer kv, int layer)
    {
        _stage = stage;
        _batch = batch;
        _kv = kv;
        _layer = layer;
        var items = stage == Stage.NormOutputs ? batch.LogitCount : batch.TokenCount;
        if (items >= ParallelTokens && pool.ThreadCount > 1)
            pool.Run(this);
        else
            Execute(0, 1);
    }

    public void Execute(int worker, int workerCount)
    {
        var items = _stage == Stage.NormOutputs ? _batch.LogitCount : _batch.TokenCount;
        var (start, end) = Partition.Range(items, worker, workerCount);
        for (var t = start; t < end; t++)
        {
            switch (_stage)
            {
                case Stage.Embed:
                    Embed(t);
                    break;
                case Stage.NormAttention:
                    Norm(_scratch.Hidden, t, _weights.Layers[_layer].AttentionNorm, _scratch.Normed, t);
                    break;
                case Stage.PositionAndStore:
                    PositionAndStore(t);
                    break;
                case Stage.NormFeedForward:
                    Norm(_scratch.Hidden, t, _weights.Layers[_layer].FeedForwardNorm, _scratch.Normed, t);
                    break;
                case Stage.NormOutputs:
                    Norm(_scratch.Hidden, _batch.LogitTokens[t], _weights.OutputNorm, _scratch.LogitInputs, t);
                    break;
            }
        }
    }

    private void Embed(int t)
    {
        var c = _config;
        var table = _weights.TokenEmbedding;
        var row = new ReadOnlySpan<byte>(table.Row(_batch.Tokens[t]), (int)table.RowBytes);
        Dequantizer.DequantizeRow(table.Type, row, Row(_scratch.Hidden, t, c.EmbeddingLength));
        var half = c.RopeDimensions / 2;
        Rope.FillTable(_batch.Positions[t], c.RopeDimensions, c.RopeFreqBase, c.RopeFreqScale, Row(_scratch.Cos, t, half), Row(_scratch.Sin, t, half));
    }

    private void Norm(NativeBuffer<float> input, int inputRow, float[] weight, NativeBuffer<float> output, int outputRow)
    {
        var width = _config.EmbeddingLength;
        RmsNorm.Apply(Row(input, inputRow, width), weight, _config.RmsEpsilon, Row(output, outputRow, width), _level);
    }

    private void PositionAndStore(int t)
    {
        var c = _config;
        var s = _scratch;
        var w = _weights.Layers[_layer];
        var q = Row(s.Query, t, c.QueryDim);
        var k = Row(s.Key, t, c.KvDim);
        var v = Row(s.Value, t, c.KvDim);
        AddBias(q, w.QueryBias);
        AddBias(k, w.KeyBias);
        AddBias(v, w.ValueBias);
        if (w.QueryNorm is not null)
            NormHeads(q, w.QueryNorm);
        if (w.KeyNorm is not null)
            NormHeads(k, w.KeyNorm);
        var half = c.RopeDimensions / 2;
        Rope.Apply(q, c.HeadDim, c.RopeStyle, Row(s.Cos, t, half), Row(s.Sin, t, half));
        Rope.Apply(k, c.HeadDim, c.RopeStyle, Row(s.Cos, t, half), Row(s.Sin, t, half));

        var position = _batch.Positions[t];
        var layout = _kv.Layout;
        var block = _batch.BlockTable(_batch.SequenceOf[t])[position / layout.BlockSize];
        KvBlockReader.Write(_kv.Keys(_layer, block), layout, position % layout.BlockSize, k, layout.KeyRotation, _level);
        KvBlockReader.Write(_kv.Values(_layer, block), layout, position % layout.BlockSize, v, layout.ValueRotation, _level);
    }

    private void NormHeads(Span<float> heads, float[] weight)
    {
        for (var h = 0; h < heads.Length; h += _config.HeadDim)
        {
            var head = heads.Slice(h, _config.HeadDim);
            RmsNorm.Apply(head, weight, _config.RmsEpsilon, head, _level);
        }
    }

    private static void AddBias(Span<float> row, float[]? bias)
    {
        if (bias is not null)
            System.Numerics.Tensors.TensorPrimitives.Add(row, bias, row);
    }

    private static Span<float> Row(NativeBuffer<float> buffer, int row, int width) => buffer.Slice((long)row * width, width);
}
