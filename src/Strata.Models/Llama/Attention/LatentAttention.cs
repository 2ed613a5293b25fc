using Strata.Kernels.MatMul;
using Strata.Kernels.Ops;
using Strata.Models.Kv;

namespace Strata.Models.Llama.Attention;

/// <summary>
/// DeepSeek-V2's multi-head latent attention in the absorbed form llama.cpp uses: each token caches only its
/// normalised latent and its rotated key part (<see cref="LatentAttentionConfig.CacheWidth"/> values per layer).
/// Each head's query is absorbed into the latent space (its non-rotary part through attn_k_b), attention runs as one
/// KV head shared by all query heads over the cached rows (the latent doubling as the value), and each head's
/// result is expanded through attn_v_b before the output projection.
/// </summary>
internal sealed unsafe class LatentAttention : IAttentionBlock, ITokenStage
{
    private readonly ModelConfig _config;
    private readonly LatentAttentionConfig _latent;
    private readonly LatentAttentionWorkspace _workspace;
    private readonly PackedMatrix? _queryA;
    private readonly float[]? _queryANorm;
    private readonly PackedMatrix _query;
    private readonly PackedMatrix _latentA;
    private readonly float[] _latentNorm;
    private readonly PackedMatrix[] _keyB;
    private readonly PackedMatrix[] _valueB;
    private readonly PackedMatrix _output;
    private ForwardPass _pass = null!;
    private int _layer;
    private Stage _stage;

    private LatentAttention(ModelConfig config, LatentAttentionWorkspace workspace, TensorBinder b, int layer)
    {
        var a = config.LatentAttention!;
        _config = config;
        _latent = a;
        _workspace = workspace;
        string N(string name) => $"blk.{layer}.{name}";
        var embedding = config.EmbeddingLength;
        var heads = config.HeadCount;
        if (a.QueryRank > 0)
        {
            _queryA = b.Packed(N("attn_q_a.weight"), a.QueryRank, embedding);
            _queryANorm = b.Vector(N("attn_q_a_norm.weight"), a.QueryRank);
            _query = b.Packed(N("attn_q_b.weight"), heads * a.QueryHeadDim, a.QueryRank);
        }
        else
        {
            _query = b.Packed(N("attn_q.weight"), heads * a.QueryHeadDim, embedding);
        }
        _latentA = b.Packed(N("attn_kv_a_mqa.weight"), a.CacheWidth, embedding);
        _latentNorm = b.Vector(N("attn_kv_a_norm.weight"), a.KvRank);
        // ggml runs these per-head slices as a plain batched matmul, which it does not repack.
        _keyB = b.Stack(N("attn_k_b.weight"), heads, a.KvRank, a.NopeDim, repack: false);
        _valueB = b.Stack(N("attn_v_b.weight"), heads, a.ValueDim, a.KvRank, repack: false);
        _output = b.Packed(N("attn_output.weight"), embedding, heads * a.ValueDim);
    }

    private enum Stage
    {
        /// <summary>The compressed query normalised in place.</summary>
        NormQuery,

        /// <summary>Rotary parts of the query and key rotated, the latent normalised, the cache row stored, the query's non-rotary part gathered by head.</summary>
        Prepare,

        /// <summary>Attention queries: each head's absorbed query, then its rotary part.</summary>
        Assemble,

        /// <summary>Each head's attention output in the latent space gathered by head.</summary>
        Gather,

        /// <summary>The expanded values of all heads side by side per token.</summary>
        Scatter,
    }

    public long BytesPerToken =>
        (_queryA?.ByteSize ?? 0) + _query.ByteSize + _latentA.ByteSize + _output.ByteSize
        + _keyB.Sum(m => m.ByteSize) + _valueB.Sum(m => m.ByteSize);

    public static LatentAttention Bind(TensorBinder binder, ModelConfig config, int layer, LatentAttentionWorkspace workspace) =>
        new(config, workspace, binder, layer);

    public void Forward(ForwardPass pass, int layer)
    {
        var a = _latent;
        var n = pass.TokenCount;
        var w = _workspace;
        var pool = pass.Pool;
        var normed = pass.Scratch.Normed.Pointer;
        w.EnsureCapacity(n);
        _pass = pass;
        _layer = layer;
        if (_queryA is not null)
        {
            pass.MatMul.Run(pool, _queryA, normed, n, w.CompressedQuery.Pointer);
            Run(Stage.NormQuery);
            pass.MatMul.Run(pool, _query, w.CompressedQuery.Pointer, n, w.Query.Pointer);
        }
        else
        {
            pass.MatMul.Run(pool, _query, normed, n, w.Query.Pointer);
        }
        pass.MatMul.Run(pool, _latentA, normed, n, w.Latent.Pointer);
        Run(Stage.Prepare);
        w.Headwise.Run(pool, _keyB, w.QueryNope.Pointer, (long)n * a.NopeDim, n, w.Absorbed.Pointer, (long)n * a.KvRank);
        Run(Stage.Assemble);
        w.Job(pass.Kv.Layout, pool.ThreadCount).Run(pool, pass.Batch, pass.Kv, layer, w.AttentionQuery.Pointer, w.AttentionOutput.Pointer);
        Run(Stage.Gather);
        w.Headwise.Run(pool, _valueB, w.HeadLatent.Pointer, (long)n * a.KvRank, n, w.HeadValue.Pointer, (long)n * a.ValueDim);
        Run(Stage.Scatter);
        pass.MatMul.Run(pool, _output, w.Values.Pointer, n, pass.Scratch.Hidden.Pointer, accumulate: true);
    }

    public void Apply(int item)
    {
        switch (_stage)
        {
            case Stage.NormQuery:
                var query = _workspace.CompressedQuery.Row(item, _latent.QueryRank);
                RmsNorm.Apply(query, _queryANorm, _config.RmsEpsilon, query, _pass.Level);
                break;
            case Stage.Prepare:
                Prepare(item);
                break;
            case Stage.Assemble:
                Assemble(item);
                break;
            case Stage.Gather:
                Gather(item);
                break;
            default:
                Scatter(item);
                break;
        }
    }

    public void Dispose()
    {
        _queryA?.Dispose();
        foreach (var matrix in _keyB.Concat(_valueB).Append(_query).Append(_latentA).Append(_output))
            matrix.Dispose();
    }

    private void Run(Stage stage)
    {
        _stage = stage;
        _pass.PerToken(this);
    }

    private void Prepare(int t)
    {
        var a = _latent;
        var w = _workspace;
        var s = _pass.Scratch;
        var n = _pass.TokenCount;
        var half = a.RopeDim / 2;
        var cos = s.Cos.Slice((long)t * half, half);
        var sin = s.Sin.Slice((long)t * half, half);
        var query = w.Query.Row(t, _config.HeadCount * a.QueryHeadDim);
        for (var h = 0; h < _config.HeadCount; h++)
        {
            var head = query.Slice(h * a.QueryHeadDim, a.QueryHeadDim);
            Rope.Apply(head[a.NopeDim..], a.RopeDim, RopeStyle.Normal, cos, sin);
            head[..a.NopeDim].CopyTo(new Span<float>(w.QueryNope.Pointer + ((long)h * n + t) * a.NopeDim, a.NopeDim));
        }

        var row = w.Latent.Row(t, a.CacheWidth);
        var latent = row[..a.KvRank];
        RmsNorm.Apply(latent, _latentNorm, _config.RmsEpsilon, latent, _pass.Level);
        Rope.Apply(row[a.KvRank..], a.RopeDim, RopeStyle.Normal, cos, sin);

        var batch = _pass.Batch;
        var kv = _pass.Kv;
        var layout = kv.Layout;
        var position = batch.Positions[t];
        var block = batch.BlockTable(batch.SequenceOf[t])[position / layout.BlockSize];
        KvBlockReader.Write(kv.Keys(_layer, block), layout, position % layout.BlockSize, row, rotation: 0, _pass.Level);
    }

    private void Assemble(int t)
    {
        var a = _latent;
        var w = _workspace;
        var n = _pass.TokenCount;
        var query = w.Query.Row(t, _config.HeadCount * a.QueryHeadDim);
        var target = w.AttentionQuery.Row(t, _config.HeadCount * a.CacheWidth);
        for (var h = 0; h < _config.HeadCount; h++)
        {
            var head = target.Slice(h * a.CacheWidth, a.CacheWidth);
            new ReadOnlySpan<float>(w.Absorbed.Pointer + ((long)h * n + t) * a.KvRank, a.KvRank).CopyTo(head);
            query.Slice(h * a.QueryHeadDim + a.NopeDim, a.RopeDim).CopyTo(head[a.KvRank..]);
        }
    }

    private void Gather(int t)
    {
        var a = _latent;
        var w = _workspace;
        var n = _pass.TokenCount;
        var output = w.AttentionOutput.Row(t, _config.HeadCount * a.CacheWidth);
        for (var h = 0; h < _config.HeadCount; h++)
            output.Slice(h * a.CacheWidth, a.KvRank).CopyTo(new Span<float>(w.HeadLatent.Pointer + ((long)h * n + t) * a.KvRank, a.KvRank));
    }

    private void Scatter(int t)
    {
        var a = _latent;
        var w = _workspace;
        var n = _pass.TokenCount;
        var values = w.Values.Row(t, _config.HeadCount * a.ValueDim);
        for (var h = 0; h < _config.HeadCount; h++)
            new ReadOnlySpan<float>(w.HeadValue.Pointer + ((long)h * n + t) * a.ValueDim, a.ValueDim).CopyTo(values.Slice(h * a.ValueDim, a.ValueDim));
    }
}
