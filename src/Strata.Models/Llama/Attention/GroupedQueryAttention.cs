using Strata.Kernels.MatMul;
using Strata.Kernels.Ops;
using Strata.Models.Kv;

namespace Strata.Models.Llama.Attention;

/// <summary>
/// Grouped-query attention (Llama, Mistral, Qwen): Q, K and V projections (Qwen2 with biases, Qwen3 with a per-head
/// RMSNorm of queries and keys), RoPE, keys and values stored per KV head in the layer's blocks, attention over the
/// sequence's positions, and the output projection added into the residual stream.
/// </summary>
internal sealed unsafe class GroupedQueryAttention : IAttentionBlock, ITokenStage
{
    private readonly ModelConfig _config;
    private readonly AttentionWorkspace _workspace;
    private readonly PackedMatrix _query;
    private readonly PackedMatrix _key;
    private readonly PackedMatrix _value;
    private readonly PackedMatrix _output;
    private readonly float[]? _queryBias;
    private readonly float[]? _keyBias;
    private readonly float[]? _valueBias;
    private readonly float[]? _queryNorm;
    private readonly float[]? _keyNorm;
    private ForwardPass _pass = null!;
    private int _layer;

    private GroupedQueryAttention(ModelConfig config, AttentionWorkspace workspace, TensorBinder b, int layer)
    {
        _config = config;
        _workspace = workspace;
        string N(string name) => $"blk.{layer}.{name}";
        _query = b.Packed(N("attn_q.weight"), config.QueryDim, config.EmbeddingLength);
        _key = b.Packed(N("attn_k.weight"), config.KvDim, config.EmbeddingLength);
        _value = b.Packed(N("attn_v.weight"), config.KvDim, config.EmbeddingLength);
        _output = b.Packed(N("attn_output.weight"), config.EmbeddingLength, config.QueryDim);
        _queryBias = b.OptionalVector(N("attn_q.bias"), config.QueryDim);
        _keyBias = b.OptionalVector(N("attn_k.bias"), config.KvDim);
        _valueBias = b.OptionalVector(N("attn_v.bias"), config.KvDim);
        _queryNorm = b.OptionalVector(N("attn_q_norm.weight"), config.HeadDim);
        _keyNorm = b.OptionalVector(N("attn_k_norm.weight"), config.HeadDim);
    }

    public long BytesPerToken => _query.ByteSize + _key.ByteSize + _value.ByteSize + _output.ByteSize;

    public static GroupedQueryAttention Bind(TensorBinder binder, ModelConfig config, int layer, AttentionWorkspace workspace) =>
        new(config, workspace, binder, layer);

    public void Forward(ForwardPass pass, int layer)
    {
        var n = pass.TokenCount;
        var w = _workspace;
        w.EnsureCapacity(n);
        _pass = pass;
        _layer = layer;
        pass.MatMul.Run(pass.Pool, pass.Scratch.Normed.Pointer, n, _query, w.Query.Pointer, _key, w.Key.Pointer, _value, w.Value.Pointer);
        pass.PerToken(this);
        w.Job(pass.Kv.Layout, pass.Pool.ThreadCount, pass.Level).Run(pass.Pool, pass.Batch, pass.Kv, layer, w.Query.Pointer, w.Output.Pointer);
        pass.MatMul.Run(pass.Pool, _output, w.Output.Pointer, n, pass.Scratch.Hidden.Pointer, accumulate: true);
    }

    /// <summary>Biases, QK-norm and RoPE on one token's queries and keys; its keys and values stored in the cache.</summary>
    public void Apply(int item)
    {
        var c = _config;
        var w = _workspace;
        var s = _pass.Scratch;
        var q = w.Query.Row(item, c.QueryDim);
        var k = w.Key.Row(item, c.KvDim);
        var v = w.Value.Row(item, c.KvDim);
        AddBias(q, _queryBias);
        AddBias(k, _keyBias);
        AddBias(v, _valueBias);
        if (_queryNorm is not null)
            NormHeads(q, _queryNorm);
        if (_keyNorm is not null)
            NormHeads(k, _keyNorm);
        var half = c.RopeDimensions / 2;
        var cos = s.Cos.Slice((long)item * half, half);
        var sin = s.Sin.Slice((long)item * half, half);
        Rope.Apply(q, c.HeadDim, c.RopeStyle, cos, sin);
        Rope.Apply(k, c.HeadDim, c.RopeStyle, cos, sin);

        var batch = _pass.Batch;
        var kv = _pass.Kv;
        var position = batch.Positions[item];
        var layout = kv.Layout;
        var block = batch.BlockTable(batch.SequenceOf[item])[position / layout.BlockSize];
        KvBlockReader.Write(kv.Keys(_layer, block), layout, position % layout.BlockSize, k, layout.KeyRotation, _pass.Level);
        KvBlockReader.Write(kv.Values(_layer, block), layout, position % layout.BlockSize, v, layout.ValueRotation, _pass.Level);
    }

    public void Dispose()
    {
        foreach (var matrix in new[] { _query, _key, _value, _output })
            matrix.Dispose();
    }

    private void NormHeads(Span<float> heads, float[] weight)
    {
        for (var h = 0; h < heads.Length; h += _config.HeadDim)
        {
            var head = heads.Slice(h, _config.HeadDim);
            RmsNorm.Apply(head, weight, _config.RmsEpsilon, head, _pass.Level);
        }
    }

    private static void AddBias(Span<float> row, float[]? bias)
    {
        if (bias is not null)
            System.Numerics.Tensors.TensorPrimitives.Add(row, bias, row);
    }
}
