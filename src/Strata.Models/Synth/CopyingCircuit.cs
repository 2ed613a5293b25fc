using System.Numerics.Tensors;

namespace Strata.Models.Synth;

/// <summary>
/// Weights that make a synthetic Llama copy its input, as trained models do through induction heads, so that
/// speculative decoding can be measured on a weight-bound model whose output is input-grounded. Only the values
/// change: every tensor keeps its shape and type, so a step reads the same bytes as the random model's.
/// </summary>
/// <remarks>
/// The residual stream is split into subspaces: dimension 0 is constant (every token's embedding has it, and RMSNorm
/// keeps it constant), <c>T</c> holds the token's identity (a random vector per token), <c>P1</c> and <c>P2</c> the
/// identities of the tokens one and two places back, and <c>O</c> the predicted token's, which is all the output
/// matrix reads.
/// <list type="bullet">
/// <item>Layer 0, previous-token heads: queries and keys read only the constant dimension, in the fastest turning RoPE
/// pairs, with the key turned ahead by d positions' angle, so every pair's score cos(θ(m − n − d)) peaks d places
/// back; the value copies <c>T</c> and the output writes it into <c>Pd</c> (d = 1, 2).</item>
/// <item>Layer 1, induction heads: queries read <c>T</c> and <c>P1</c>, keys <c>P1</c> and <c>P2</c>, both in the
/// slowest turning pairs (θ ≤ base^-½, so positions barely turn them), so a key scores high where the two tokens
/// before it are the current and previous tokens (and half as high where one is); the value copies that position's
/// <c>T</c> and the output writes it into <c>O</c>, which the output matrix reads with the same identity vectors. Of
/// several matches the latest wins: in the middle-speed pairs queries and keys read the constant dimension, unturned,
/// so Σ cos(θ_i (m − n)) adds a bias that falls with distance (by about 4 per doubling over the first 50 tokens).</item>
/// <item>Every other attention output and feed-forward down projection keeps its random values scaled by
/// <see cref="PerturbationScale"/>: they perturb the stream without drowning the circuit.</item>
/// </list>
/// </remarks>
internal sealed class CopyingCircuit
{
    /// <summary>Qwen2's and Llama 3's order of magnitude: half of a 64-wide head's pairs turn less than 1e-3 per position.</summary>
    public const float RopeFreqBase = 1_000_000f;

    /// <summary>The random output projections' scale: their noise in <c>O</c> stays well below the copied token's.</summary>
    public const float PerturbationScale = 0.01f;

    private const int PositionPairs = 8;
    private const int FirstRecencyPair = 4;
    private const int ConstantDim = 0;
    private const int ConstantBlock = 32;
    private const int MaxIdentityDims = 256;
    private const int LookBack = 2;

    // Norms in the residual stream: the constant dimension, each token identity (T, P1, P2) and the prediction; the
    // attention scores (after 1/√head) per unit of the position score and per matching token; the output's scale.
    private const float Constant = 1f;
    private const float Identity = 1f;
    private const float Prediction = 2f;
    private const float PositionScore = 20f;
    private const float MatchScore = 50f;
    private const float RecencyScore = 1.5f;
    private const float Logit = 0.3f;

    private readonly int _embedding;
    private readonly int _headDim;
    private readonly int _identityDims;
    private readonly int _groupSize;
    private readonly int _kvHeads;
    private readonly float[] _identities;

    public CopyingCircuit(SyntheticShape shape, int vocabSize, int seed)
    {
        _embedding = shape.EmbeddingLength;
        _headDim = shape.HeadDim;
        _groupSize = shape.HeadCount / shape.KvHeadCount;
        _kvHeads = shape.KvHeadCount;
        if (shape.LayerCount < 2 || _headDim < 4 * PositionPairs || _headDim % 8 != 0 || shape.HeadCount * _headDim != _embedding)
            throw new ArgumentException("--copying needs at least 2 layers and heads of at least 32 dimensions (a multiple of 8) that fill embd");
        _identityDims = Math.Min(MaxIdentityDims, (_embedding - ConstantBlock) / (LookBack + 2) / _headDim * _headDim);
        if (_identityDims < _headDim || LookBack * ValueHeads > _kvHeads)
            throw new ArgumentException($"--copying needs embd ≥ 32 + 4 × head size and {LookBack} KV heads per {_headDim} identity dimensions");
        _identities = Identities(vocabSize, seed);
    }

    /// <summary>Random outputs are scaled down so they do not drown the circuit; other matrices keep σ.</summary>
    public static float StdDevScale(MatrixRole role) => role is MatrixRole.AttentionOutput or MatrixRole.Down ? PerturbationScale : 1f;

    /// <summary>Where <c>T</c> (back 0), <c>P1</c> (back 1) and <c>P2</c> start.</summary>
    private int IdentityStart(int back) => ConstantBlock + back * _identityDims;

    private int PredictionStart => IdentityStart(LookBack + 1);

    /// <summary>KV heads needed to carry one identity in head-wide slices.</summary>
    private int ValueHeads => _identityDims / _headDim;

    /// <summary>An induction head's slow half: one quarter of the head matches each of the two tokens.</summary>
    private int MatchDims => _headDim / 4;

    /// <summary>RMS of layer 0's input (constant and identity) and layer 1's (plus the identities one and two back).</summary>
    private float Rms0 => MathF.Sqrt((Constant * Constant + Identity * Identity) / _embedding);

    private float Rms1 => MathF.Sqrt((Constant * Constant + (LookBack + 1) * Identity * Identity) / _embedding);

    /// <summary>The writer that sets the circuit's values in a row of <paramref name="role"/>'s matrix, or null where the row stays random.</summary>
    public RowWriter? RowsOf(MatrixRole role, int layer) => (role, layer) switch
    {
        (MatrixRole.TokenEmbedding, _) => EmbeddingRow,
        (MatrixRole.Output, _) => OutputRow,
        (MatrixRole.Query, 0) => PreviousTokenQuery,
        (MatrixRole.Key, 0) => PreviousTokenKey,
        (MatrixRole.Value, 0) => (row, values) => CopyIdentity(row, values, LookBack * ValueHeads),
        (MatrixRole.AttentionOutput, 0) => PreviousTokenOutput,
        (MatrixRole.Query, 1) => (row, values) => Match(row, values, query: true),
        (MatrixRole.Key, 1) => (row, values) => Match(row, values, query: false),
        (MatrixRole.Value, 1) => (row, values) => CopyIdentity(row, values, _kvHeads),
        (MatrixRole.AttentionOutput, 1) => InductionOutput,
        _ => null,
    };

    private void EmbeddingRow(int token, Span<float> values)
    {
        values.Clear();
        values[ConstantDim] = Constant;
        IdentityOf(token).CopyTo(values[IdentityStart(0)..]);
    }

    private void OutputRow(int token, Span<float> values)
    {
        values.Clear();
        var identity = IdentityOf(token);
        for (var i = 0; i < identity.Length; i++)
            values[PredictionStart + i] = Logit * identity[i];
    }

    private ReadOnlySpan<float> IdentityOf(int token) => _identities.AsSpan(token * _identityDims, _identityDims);

    /// <summary>The first query head of each previous-token group reads the constant in the fast pairs; the others see nothing.</summary>
    private void PreviousTokenQuery(int row, Span<float> values)
    {
        var (head, dim) = (row / _headDim, row % _headDim);
        if (head / _groupSize >= LookBack * ValueHeads)
            return;
        values.Clear();
        if (head % _groupSize == 0 && dim < 2 * PositionPairs && dim % 2 == 0)
            values[ConstantDim] = PositionWeight;
    }

    /// <summary>Keys of the previous-token heads: the constant turned ahead by d·θ_i in each fast pair i (d = 1 + head / value heads).</summary>
    private void PreviousTokenKey(int row, Span<float> values)
    {
        var (head, dim) = (row / _headDim, row % _headDim);
        if (head >= LookBack * ValueHeads)
            return;
        values.Clear();
        if (dim >= 2 * PositionPairs)
            return;
        var angle = (1 + head / ValueHeads) * MathF.Pow(RopeFreqBase, -2f * (dim / 2) / _headDim);
        values[ConstantDim] = PositionWeight * (dim % 2 == 0 ? MathF.Cos(angle) : MathF.Sin(angle));
    }

    /// <summary>The weight that makes a fast pair's score (weight · constant / RMS)² / √head equal <see cref="PositionScore"/>.</summary>
    private float PositionWeight => MathF.Sqrt(PositionScore * MathF.Sqrt(_headDim)) * Rms0 / Constant;

    /// <summary>
    /// Induction heads, in the slow half of the head: the first query head of each group reads a slice of <c>T</c>
    /// then the same slice of <c>P1</c>; its KV head reads the slice of <c>P1</c> then of <c>P2</c>. In the
    /// middle-speed pairs both read the constant, for the recency bias.
    /// </summary>
    private void Match(int row, Span<float> values, bool query)
    {
        var (head, dim) = (row / _headDim, row % _headDim);
        var group = query ? head / _groupSize : head;
        values.Clear();
        if (query && head % _groupSize != 0)
            return;
        if (dim < 2 * MatchDims)
        {
            if (dim / 2 >= FirstRecencyPair && dim % 2 == 0)
                values[ConstantDim] = MathF.Sqrt(RecencyScore * MathF.Sqrt(_headDim)) * Rms1 / Constant;
            return;
        }
        var part = (dim - 2 * MatchDims) / MatchDims;
        var slice = group % (_identityDims / MatchDims) * MatchDims;
        // A matching slice's dot product is Identity² · MatchDims / identity dims.
        var overlap = Identity * Identity * MatchDims / _identityDims;
        var weight = MathF.Sqrt(MatchScore * MathF.Sqrt(_headDim) / overlap) * Rms1;
        values[IdentityStart(part + (query ? 0 : 1)) + slice + dim % MatchDims] = weight;
    }

    /// <summary>The first <paramref name="heads"/> KV heads' values are <c>T</c>, one head-wide slice each (repeating).</summary>
    private void CopyIdentity(int row, Span<float> values, int heads)
    {
        var (head, dim) = (row / _headDim, row % _headDim);
        if (head >= heads)
            return;
        values.Clear();
        values[IdentityStart(0) + head % ValueHeads * _headDim + dim] = 1f;
    }

    /// <summary>Previous-token head groups d − 1 write what they read (T at the position d back) into <c>Pd</c>.</summary>
    private void PreviousTokenOutput(int row, Span<float> values)
    {
        var heads = LookBack * ValueHeads;
        values[..(heads * _groupSize * _headDim)].Clear();
        var back = (row - IdentityStart(1)) / _identityDims;
        if (row < IdentityStart(1) || back >= LookBack)
            return;
        var offset = (row - IdentityStart(1)) % _identityDims;
        var kv = back * ValueHeads + offset / _headDim;
        values[kv * _groupSize * _headDim + offset % _headDim] = Rms0;
    }

    /// <summary>Induction heads write the copied identity into <c>O</c>, each slice summed over the heads that carry it.</summary>
    private void InductionOutput(int row, Span<float> values)
    {
        values[..(_kvHeads * _groupSize * _headDim)].Clear();
        var offset = row - PredictionStart;
        if (offset < 0 || offset >= _identityDims)
            return;
        var carriers = _kvHeads / ValueHeads;
        for (var kv = offset / _headDim; kv < _kvHeads; kv += ValueHeads)
            values[kv * _groupSize * _headDim + offset % _headDim] = Prediction * Rms1 / Identity / carriers;
    }

    /// <summary>One random vector per token, each slice of <see cref="MatchDims"/> normalized to the same share of <see cref="Identity"/>.</summary>
    private float[] Identities(int vocabSize, int seed)
    {
        var identities = new float[vocabSize * _identityDims];
        var random = new Random(seed * 7_919 + 17);
        var sliceNorm = Identity * MathF.Sqrt((float)MatchDims / _identityDims);
        for (var t = 0; t < vocabSize; t++)
        {
            for (var s = 0; s < _identityDims; s += MatchDims)
            {
                var slice = identities.AsSpan(t * _identityDims + s, MatchDims);
                SyntheticModelWriter.FillNormal(random, slice, 1f);
                var norm = MathF.Sqrt(TensorPrimitives.SumOfSquares(slice));
                TensorPrimitives.Multiply(slice, sliceNorm / norm, slice);
            }
        }
        return identities;
    }
}
