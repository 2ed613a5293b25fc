using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Strata.Kernels.Ops;
using Strata.Kernels.Simd;

namespace Strata.Kernels.Attention;

/// <summary>
/// Flash-style attention for a tile of query tokens that share their keys (the GQA heads of each token, and the
/// tokens of one sequence in one forward pass): keys and values arrive a block at a time and a running maximum,
/// normaliser and weighted sum are kept per query row, so the full score row is never materialised.
/// <para>
/// Every row folds its keys in one at a time, in position order, with ggml's CPU flash-attention numerics: with an
/// F16 cache the query and the running sum are kept in half precision (rounded after every scale and multiply-add),
/// e^x is glibc's expf. A row's arithmetic never depends on the other rows of its tile, so the tile only decides
/// what is shared: each key and value block is widened once, sixteen scores of a row come out of one transposed
/// reduction (<see cref="ScoreTree"/>; below a head size of 64, of keys transposed once per group, see
/// <see cref="FloatKeyScores"/>), and the sixteen exponentials of a row are one vector (<see cref="GlibcExp"/>).
/// </para>
/// </summary>
public static unsafe class OnlineSoftmaxAttention
{
    /// <summary>Keys whose scores and softmax weights are worked out together, per row.</summary>
    public const int KeyGroup = ScoreTree.Keys;

    /// <summary>The head size two rows of which fill one AVX-512 vector.</summary>
    private const int HalfVector = 8;

    /// <summary>Floats of scratch <see cref="Accumulate"/> needs for <paramref name="rows"/> query rows.</summary>
    public static int ScratchLength(int rows) => (2 * rows + 1) * KeyGroup;

    /// <summary>Prepares the running state of <paramref name="rows"/> query rows; rounds the queries to half precision when asked.</summary>
    /// <param name="queries">[rows, headDim]</param>
    /// <param name="max">[rows]</param>
    /// <param name="sum">[rows]</param>
    /// <param name="accumulator">[rows, headDim]</param>
    public static void Begin(float* queries, int rows, int headDim, bool halfPrecision, float* max, float* sum, float* accumulator, SimdLevel level)
    {
        if (halfPrecision)
            HalfRounding.Round(new Span<float>(queries, rows * headDim), level);
        new Span<float>(max, rows).Fill(float.NegativeInfinity);
        new Span<float>(sum, rows).Clear();
        new Span<float>(accumulator, rows * headDim).Clear();
    }

    /// <summary>
    /// Prepares the running state of <paramref name="rows"/> query rows for a quantized K cache: the queries are
    /// quantized to Q8_0 as ggml's x86 backend does before its quantized dot products (headDim a multiple of 32).
    /// </summary>
    /// <param name="queries">[rows, headDim], rotated in place first when <paramref name="rotation"/> is not 0.</param>
    /// <param name="quantized">room for [rows, headDim] quants and [rows, headDim / 32] scales.</param>
    /// <param name="rotation">The keys' Hadamard rotation (chunk size), which the queries must share; 0 for none.</param>
    public static void BeginQuantized(float* queries, int rows, int headDim, Q8_0Queries quantized, int rotation, float* max, float* sum, float* accumulator, SimdLevel level)
    {
        var blocks = headDim / 32;
        var blockSums = stackalloc int[blocks];
        if (rotation > 0)
            Hadamard.Rotate(queries, rows * headDim, rotation, level);
        for (var r = 0; r < rows; r++)
        {
            MatMul.ActivationQuantizer.QuantizeQ8_0(queries + (long)r * headDim, headDim, quantized.Quants + (long)r * headDim,
                quantized.Scales + (long)r * blocks, blockSums, level);
        }
        new Span<float>(max, rows).Fill(float.NegativeInfinity);
        new Span<float>(sum, rows).Clear();
        new Span<float>(accumulator, rows * headDim).Clear();
    }

    /// <summary>
    /// Folds keys and values into the running state of <paramref name="tokens"/> × <paramref name="heads"/> query
    /// rows; token t takes keys <c>ranges[t]</c> only, in order.
    /// </summary>
    /// <param name="queries">[tokens, heads, headDim], as prepared by <see cref="Begin"/>.</param>
    /// <param name="ranges">[tokens] the keys each token attends to, within 0..count − 1.</param>
    /// <param name="keys">[count, headDim]</param>
    /// <param name="values">[count, headDim]</param>
    /// <param name="max">[tokens, heads] running maximum score.</param>
    /// <param name="sum">[tokens, heads] running sum of exp(score − max).</param>
    /// <param name="accumulator">[tokens, heads, headDim] running Σ exp(score − max)·value.</param>
    /// <param name="scratch">[<see cref="ScratchLength"/>(tokens · heads)]</param>
    [SkipLocalsInit]
    public static void Accumulate(float* queries, int tokens, int heads, KeyRange* ranges, float* keys, float* values, int count, int headDim,
        float scale, bool halfPrecision, float* max, float* sum, float* accumulator, float* scratch, SimdLevel level)
    {
        var small = level == SimdLevel.Avx512 && headDim < FloatKeyScores.SmallHeadLimit;
        Span<float> transposed = small ? stackalloc float[KeyGroup * headDim] : default;
        fixed (float* keysByDimension = transposed)
        {
            Accumulate(new FloatKeyScores(queries, keys, headDim, keysByDimension), tokens, heads, ranges, values, count, headDim, scale, halfPrecision,
                max, sum, accumulator, scratch, level);
        }
    }

    /// <summary>
    /// <see cref="Accumulate(float*, int, int, KeyRange*, float*, float*, int, int, float, bool, float*, float*, float*, float*, SimdLevel)"/>
    /// for a quantized cache, as ggml's flash attention runs it: scores from the Q8_0 queries and quantized keys
    /// (<see cref="Q8_0KeyScores"/>), values dequantized to float and summed in single precision.
    /// </summary>
    /// <param name="queries">[tokens, heads] rows, as prepared by <see cref="BeginQuantized"/>.</param>
    /// <param name="keys">count keys.</param>
    /// <param name="values">[count, headDim], dequantized.</param>
    public static void AccumulateQuantized(Q8_0Queries queries, int tokens, int heads, KeyRange* ranges, Q8_0Keys keys, float* values, int count, int headDim,
        float scale, float* max, float* sum, float* accumulator, float* scratch, SimdLevel level) =>
        Accumulate(new Q8_0KeyScores(queries, keys, headDim), tokens, heads, ranges, values, count, headDim, scale, halfPrecision: false,
            max, sum, accumulator, scratch, level);

    private static void Accumulate<TScores>(in TScores keyScores, int tokens, int heads, KeyRange* ranges, float* values, int count, int headDim,
        float scale, bool halfPrecision, float* max, float* sum, float* accumulator, float* scratch, SimdLevel level)
        where TScores : struct, IKeyScores
    {
        var rows = tokens * heads;
        // scratch: corrections [rows, KeyGroup], weights [rows, KeyGroup], exp arguments [KeyGroup]
        var corrections = scratch;
        var weights = corrections + rows * KeyGroup;
        var arguments = weights + rows * KeyGroup;
        var treeScores = keyScores.HasSixteen(level);
        for (var group = 0; group < count; group += KeyGroup)
        {
            var groupKeys = Math.Min(KeyGroup, count - group);
            if (treeScores)
                keyScores.Prepare(group, groupKeys);
            var any = false;
            for (var t = 0; t < tokens; t++)
            {
                if (!InGroup(ranges[t], group, groupKeys, out var first, out var last))
                    continue;
                any = true;
                for (var r = t * heads; r < (t + 1) * heads; r++)
                {
                    if (treeScores)
                    {
                        var scores = keyScores.Sixteen(r, group, groupKeys) * scale;
                        Softmax512(scores, first, last, max + r, corrections + r * KeyGroup, weights + r * KeyGroup);
                    }
                    else
                    {
                        Softmax(keyScores, r, group, first, last, scale, max + r, sum + r,
                            corrections + r * KeyGroup, weights + r * KeyGroup, arguments, level);
                    }
                }
                if (treeScores)
                    AddToSums(first, last, sum + t * heads, heads, corrections + t * heads * KeyGroup, weights + t * heads * KeyGroup);
            }
            if (!any)
                continue;
            var groupValues = values + (long)group * headDim;
            if (level == SimdLevel.Avx512 && headDim % 64 == 0 && heads % 2 == 0)
            {
                if (halfPrecision)
                    FoldRowPairs512<HalfPrecision>(groupValues, group, groupKeys, tokens, heads, ranges, headDim, corrections, weights, accumulator);
                else
                    FoldRowPairs512<SinglePrecision>(groupValues, group, groupKeys, tokens, heads, ranges, headDim, corrections, weights, accumulator);
            }
            else if (level == SimdLevel.Avx512 && headDim == HalfVector && heads % 2 == 0)
            {
                if (halfPrecision)
                    FoldHeadPairs512<HalfPrecision>(groupValues, group, groupKeys, tokens, heads, ranges, corrections, weights, accumulator);
                else
                    FoldHeadPairs512<SinglePrecision>(groupValues, group, groupKeys, tokens, heads, ranges, corrections, weights, accumulator);
            }
            else if (level == SimdLevel.Avx512 && headDim % 16 == 0)
            {
                if (halfPrecision)
                    Fold512<HalfPrecision>(groupValues, group, groupKeys, tokens, heads, ranges, headDim, corrections, weights, accumulator);
                else
                    Fold512<SinglePrecision>(groupValues, group, groupKeys, tokens, heads, ranges, headDim, corrections, weights, accumulator);
            }
            else
            {
                Fold(groupValues, group, groupKeys, tokens, heads, ranges, headDim, halfPrecision, corrections, weights, accumulator, level);
            }
        }
    }

    /// <summary>
    /// Writes the normalised outputs [rows, headDim]: the accumulator times 1/sum, as ggml scales it, then rotated back
    /// when the values were stored rotated (<paramref name="rotation"/> their chunk size, 0 for none).
    /// </summary>
    public static void End(float* sum, float* accumulator, int rows, int headDim, float* output, int rotation = 0, SimdLevel level = SimdLevel.Scalar)
    {
        for (var r = 0; r < rows; r++)
        {
            var inverse = sum[r] == 0f ? 0f : 1f / sum[r];
            for (var i = 0; i < headDim; i++)
                output[r * headDim + i] = accumulator[r * headDim + i] * inverse;
        }
        if (rotation > 0)
            Hadamard.Rotate(output, rows * headDim, rotation, level);
    }

    /// <summary>The keys of <paramref name="range"/> inside the group starting at <paramref name="group"/>, relative to it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool InGroup(KeyRange range, int group, int groupKeys, out int first, out int last)
    {
        first = Math.Max(range.First - group, 0);
        last = Math.Min(range.Last - group, groupKeys - 1);
        return first <= last;
    }

    /// <summary>
    /// The softmax step of one row over up to 16 keys (lanes first..last of <paramref name="scores"/>), as ggml
    /// takes it key by key: a key above the running maximum m scales what came before by e^(m − s) and enters with
    /// weight 1; any other enters with weight e^(s − m). The running maximum before each key is a prefix maximum
    /// across lanes; the sum, the one sequential part, is left to <see cref="AddToSums"/>.
    /// </summary>
    /// <param name="corrections">[16] e^(m − s) where the key raised the maximum, else 1.</param>
    /// <param name="weights">[16] 1 where the key raised the maximum, else e^(s − m); 0 outside first..last.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Softmax512(Vector512<float> scores, int first, int last, float* max, float* corrections, float* weights)
    {
        var lane = Vector512<int>.Indices;
        var inRange = (Vector512.GreaterThanOrEqual(lane, Vector512.Create(first)) & Vector512.LessThanOrEqual(lane, Vector512.Create(last))).AsSingle();
        var s = Vector512.ConditionalSelect(inRange, scores, Vector512.Create(float.NegativeInfinity));
        var prefix = Avx512F.Max(s, ShiftUp(s, KeyGroup - 1));
        prefix = Avx512F.Max(prefix, ShiftUp(prefix, KeyGroup - 2));
        prefix = Avx512F.Max(prefix, ShiftUp(prefix, KeyGroup - 4));
        prefix = Avx512F.Max(prefix, ShiftUp(prefix, KeyGroup - 8));
        var before = Avx512F.Max(Vector512.Create(*max), ShiftUp(prefix, KeyGroup - 1));
        var raised = Vector512.GreaterThan(s, before);
        var argument = Vector512.ConditionalSelect(raised, before - s, s - before);
        var exp = GlibcExp.Exp(Vector512.ConditionalSelect(inRange, argument, Vector512<float>.Zero));
        Vector512.ConditionalSelect(raised, exp, Vector512<float>.One).Store(corrections);
        Vector512.ConditionalSelect(raised, Vector512<float>.One, Vector512.ConditionalSelect(inRange, exp, Vector512<float>.Zero)).Store(weights);
        *max = Avx512F.Max(before, s).GetElement(KeyGroup - 1);
    }

    /// <summary>
    /// The running sums of <paramref name="rows"/> rows over keys first..last, key by key: sum = sum·correction +
    /// weight, rounded once (a multiply by exactly 1 where no key raised the maximum): GCC contracts ggml's
    /// <c>S = S*ms + vs</c> into a fused multiply-add, which differs from two roundings where a key raises the
    /// maximum. Four rows go together so their chains of dependent multiply-adds overlap.
    /// </summary>
    /// <param name="corrections">[rows, 16]</param>
    /// <param name="weights">[rows, 16]</param>
    private static void AddToSums(int first, int last, float* sum, int rows, float* corrections, float* weights)
    {
        var r = 0;
        for (; r + 4 <= rows; r += 4)
        {
            var c = corrections + r * KeyGroup;
            var w = weights + r * KeyGroup;
            float s0 = sum[r], s1 = sum[r + 1], s2 = sum[r + 2], s3 = sum[r + 3];
            for (var j = first; j <= last; j++)
            {
                s0 = MathF.FusedMultiplyAdd(s0, c[j], w[j]);
                s1 = MathF.FusedMultiplyAdd(s1, c[KeyGroup + j], w[KeyGroup + j]);
                s2 = MathF.FusedMultiplyAdd(s2, c[2 * KeyGroup + j], w[2 * KeyGroup + j]);
                s3 = MathF.FusedMultiplyAdd(s3, c[3 * KeyGroup + j], w[3 * KeyGroup + j]);
            }
            (sum[r], sum[r + 1], sum[r + 2], sum[r + 3]) = (s0, s1, s2, s3);
        }
        for (; r < rows; r++)
        {
            var total = sum[r];
            for (var j = first; j <= last; j++)
                total = MathF.FusedMultiplyAdd(total, corrections[r * KeyGroup + j], weights[r * KeyGroup + j]);
            sum[r] = total;
        }
    }

    /// <summary>Lane j gets lane j − n, the first n lanes −∞, for <paramref name="alignment"/> = 16 − n (valignd over [v, −∞]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ShiftUp(Vector512<float> v, [ConstantExpected(Min = 1, Max = KeyGroup - 1)] byte alignment) =>
        Avx512F.AlignRight32(v.AsInt32(), Vector512.Create(float.NegativeInfinity).AsInt32(), alignment).AsSingle();

    /// <summary>
    /// <see cref="Softmax512"/> for any level and head size: scores one at a time (<see cref="IKeyScores.One"/>), the
    /// maximum key by key, the exponentials in vectors of the level's width; keys group + first .. group + last.
    /// </summary>
    /// <param name="arguments">scratch [16]</param>
    private static void Softmax<TScores>(in TScores keyScores, int row, int group, int first, int last, float scale, float* max, float* sum,
        float* corrections, float* weights, float* arguments, SimdLevel level)
        where TScores : struct, IKeyScores
    {
        new Span<float>(arguments, KeyGroup).Clear();
        var m = *max;
        var raised = 0u;
        for (var j = first; j <= last; j++)
        {
            var score = keyScores.One(row, group + j, level) * scale;
            if (score > m)
            {
                arguments[j] = m - score;
                m = score;
                raised |= 1u << j;
            }
            else
            {
                arguments[j] = score - m;
            }
        }
        *max = m;

        switch (level)
        {
            case SimdLevel.Avx512:
                GlibcExp.Exp(Vector512.Load(arguments)).Store(arguments);
                break;
            case SimdLevel.Avx2:
                GlibcExp.Exp(Vector256.Load(arguments)).Store(arguments);
                GlibcExp.Exp(Vector256.Load(arguments + 8)).Store(arguments + 8);
                break;
            default:
                for (var j = first; j <= last; j++)
                    arguments[j] = GlibcExp.Exp(arguments[j]);
                break;
        }

        var total = *sum;
        for (var j = first; j <= last; j++)
        {
            var isRaised = (raised & (1u << j)) != 0;
            var correction = isRaised ? arguments[j] : 1f;
            var weight = isRaised ? 1f : arguments[j];
            corrections[j] = correction;
            weights[j] = weight;
            total = MathF.FusedMultiplyAdd(total, correction, weight);
        }
        *sum = total;
    }

    /// <summary>
    /// Key by key, for every row that takes the key: acc = round(acc·correction) when the key raised the maximum,
    /// then acc = round(fma(value, weight, acc)). The rows of a key are independent, so their chains of
    /// multiply-add and rounding overlap.
    /// </summary>
    /// <param name="values">[groupKeys, headDim]</param>
    /// <param name="corrections">[rows, 16]</param>
    /// <param name="weights">[rows, 16]</param>
    /// <param name="accumulator">[rows, headDim]</param>
    private static void Fold512<TPrecision>(float* values, int group, int groupKeys, int tokens, int heads, KeyRange* ranges, int headDim,
        float* corrections, float* weights, float* accumulator)
        where TPrecision : struct, IAccumulatorPrecision
    {
        for (var j = 0; j < groupKeys; j++)
        {
            var value = values + (long)j * headDim;
            for (var t = 0; t < tokens; t++)
            {
                if (!InGroup(ranges[t], group, groupKeys, out var first, out var last) || j < first || j > last)
                    continue;
                for (var r = t * heads; r < (t + 1) * heads; r++)
                {
                    var acc = accumulator + (long)r * headDim;
                    // Scaling by exactly 1 would change nothing: rounding is idempotent.
                    var correction = corrections[r * KeyGroup + j];
                    if (correction != 1f)
                    {
                        for (var i = 0; i < headDim; i += 16)
                            TPrecision.Round(Vector512.Load(acc + i) * correction).Store(acc + i);
                    }
                    var weight = Vector512.Create(weights[r * KeyGroup + j]);
                    for (var i = 0; i < headDim; i += 16)
                        TPrecision.Round(Vector512.FusedMultiplyAdd(Vector512.Load(value + i), weight, Vector512.Load(acc + i))).Store(acc + i);
                }
            }
        }
    }

    /// <summary>
    /// <see cref="Fold512{TPrecision}"/> for an even number of rows per token and head sizes that are multiples of
    /// 64: two rows by 64 columns stay in eight registers while the keys of the group go by, so the eight chains of
    /// multiply-add and rounding overlap without a trip through memory per key. Each element sees the same
    /// operations in the same key order.
    /// </summary>
    private static void FoldRowPairs512<TPrecision>(float* values, int group, int groupKeys, int tokens, int heads, KeyRange* ranges, int headDim,
        float* corrections, float* weights, float* accumulator)
        where TPrecision : struct, IAccumulatorPrecision
    {
        for (var t = 0; t < tokens; t++)
        {
            if (!InGroup(ranges[t], group, groupKeys, out var first, out var last))
                continue;
            for (var r = t * heads; r < (t + 1) * heads; r += 2)
            {
                var correctionsA = corrections + r * KeyGroup;
                var correctionsB = correctionsA + KeyGroup;
                var weightsA = weights + r * KeyGroup;
                var weightsB = weightsA + KeyGroup;
                for (var i = 0; i < headDim; i += 64)
                {
                    var accA = accumulator + (long)r * headDim + i;
                    var accB = accA + headDim;
                    var a0 = Vector512.Load(accA);
                    var a1 = Vector512.Load(accA + 16);
                    var a2 = Vector512.Load(accA + 32);
                    var a3 = Vector512.Load(accA + 48);
                    var b0 = Vector512.Load(accB);
                    var b1 = Vector512.Load(accB + 16);
                    var b2 = Vector512.Load(accB + 32);
                    var b3 = Vector512.Load(accB + 48);
                    for (var j = first; j <= last; j++)
                    {
                        // Scaling by exactly 1 would change nothing: rounding is idempotent.
                        var correctionA = correctionsA[j];
                        if (correctionA != 1f)
                        {
                            a0 = TPrecision.Round(a0 * correctionA);
                            a1 = TPrecision.Round(a1 * correctionA);
                            a2 = TPrecision.Round(a2 * correctionA);
                            a3 = TPrecision.Round(a3 * correctionA);
                        }
                        var correctionB = correctionsB[j];
                        if (correctionB != 1f)
                        {
                            b0 = TPrecision.Round(b0 * correctionB);
                            b1 = TPrecision.Round(b1 * correctionB);
                            b2 = TPrecision.Round(b2 * correctionB);
                            b3 = TPrecision.Round(b3 * correctionB);
                        }
                        var value = values + (long)j * headDim + i;
                        var v0 = Vector512.Load(value);
                        var v1 = Vector512.Load(value + 16);
                        var v2 = Vector512.Load(value + 32);
                        var v3 = Vector512.Load(value + 48);
                        var weightA = Vector512.Create(weightsA[j]);
                        var weightB = Vector512.Create(weightsB[j]);
                        a0 = TPrecision.Round(Vector512.FusedMultiplyAdd(v0, weightA, a0));
                        a1 = TPrecision.Round(Vector512.FusedMultiplyAdd(v1, weightA, a1));
                        a2 = TPrecision.Round(Vector512.FusedMultiplyAdd(v2, weightA, a2));
                        a3 = TPrecision.Round(Vector512.FusedMultiplyAdd(v3, weightA, a3));
                        b0 = TPrecision.Round(Vector512.FusedMultiplyAdd(v0, weightB, b0));
                        b1 = TPrecision.Round(Vector512.FusedMultiplyAdd(v1, weightB, b1));
                        b2 = TPrecision.Round(Vector512.FusedMultiplyAdd(v2, weightB, b2));
                        b3 = TPrecision.Round(Vector512.FusedMultiplyAdd(v3, weightB, b3));
                    }
                    a0.Store(accA);
                    a1.Store(accA + 16);
                    a2.Store(accA + 32);
                    a3.Store(accA + 48);
                    b0.Store(accB);
                    b1.Store(accB + 16);
                    b2.Store(accB + 32);
                    b3.Store(accB + 48);
                }
            }
        }
    }

    /// <summary>
    /// <see cref="Fold512{TPrecision}"/> for a head size of 8 (TinyStories) and an even number of rows per token: two
    /// rows of a token, which take the same keys and values, share one vector (the value in both halves, each row's
    /// weight and correction in its half) and stay in a register while the keys of the group go by. A row whose
    /// correction is 1 beside one that is not is scaled by exactly 1, which changes nothing (rounding is idempotent).
    /// </summary>
    private static void FoldHeadPairs512<TPrecision>(float* values, int group, int groupKeys, int tokens, int heads, KeyRange* ranges,
        float* corrections, float* weights, float* accumulator)
        where TPrecision : struct, IAccumulatorPrecision
    {
        for (var t = 0; t < tokens; t++)
        {
            if (!InGroup(ranges[t], group, groupKeys, out var first, out var last))
                continue;
            for (var r = t * heads; r < (t + 1) * heads; r += 2)
            {
                var correctionsA = corrections + r * KeyGroup;
                var correctionsB = correctionsA + KeyGroup;
                var weightsA = weights + r * KeyGroup;
                var weightsB = weightsA + KeyGroup;
                var acc = accumulator + (long)r * HalfVector;
                var pair = Vector512.Load(acc);
                for (var j = first; j <= last; j++)
                {
                    var correctionA = correctionsA[j];
                    var correctionB = correctionsB[j];
                    if (correctionA != 1f || correctionB != 1f)
                        pair = TPrecision.Round(pair * Vector512.Create(Vector256.Create(correctionA), Vector256.Create(correctionB)));
                    var value = Vector256.Load(values + j * HalfVector);
                    var weight = Vector512.Create(Vector256.Create(weightsA[j]), Vector256.Create(weightsB[j]));
                    pair = TPrecision.Round(Vector512.FusedMultiplyAdd(Vector512.Create(value, value), weight, pair));
                }
                pair.Store(acc);
            }
        }
    }

    /// <summary><see cref="Fold512{TPrecision}"/> for any level and head size.</summary>
    private static void Fold(float* values, int group, int groupKeys, int tokens, int heads, KeyRange* ranges, int headDim, bool halfPrecision,
        float* corrections, float* weights, float* accumulator, SimdLevel level)
    {
        for (var j = 0; j < groupKeys; j++)
        {
            var value = values + (long)j * headDim;
            for (var t = 0; t < tokens; t++)
            {
                if (!InGroup(ranges[t], group, groupKeys, out var first, out var last) || j < first || j > last)
                    continue;
                for (var r = t * heads; r < (t + 1) * heads; r++)
                {
                    var acc = accumulator + (long)r * headDim;
                    var correction = corrections[r * KeyGroup + j];
                    if (correction != 1f)
                        Scale(acc, correction, headDim, halfPrecision, level);
                    MultiplyAdd(acc, value, weights[r * KeyGroup + j], headDim, halfPrecision, level);
                }
            }
        }
    }

    /// <summary>acc[n] *= factor (ggml_vec_scale_f16 when rounding).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Scale(float* acc, float factor, int n, bool round, SimdLevel level)
    {
        var i = 0;
        if (level == SimdLevel.Avx512)
        {
            for (; i + 16 <= n; i += 16)
            {
                var v = Vector512.Load(acc + i) * factor;
                (round ? HalfRounding.Round(v) : v).Store(acc + i);
            }
        }
        else if (level == SimdLevel.Avx2)
        {
            for (; i + 8 <= n; i += 8)
            {
                var v = Vector256.Load(acc + i) * factor;
                (round ? HalfRounding.Round(v) : v).Store(acc + i);
            }
        }
        for (; i < n; i++)
        {
            var v = acc[i] * factor;
            acc[i] = round ? HalfRounding.Round(v) : v;
        }
    }

    /// <summary>acc[n] = fma(value, weight, acc) (ggml_vec_mad_f16 when rounding).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MultiplyAdd(float* acc, float* value, float weight, int n, bool round, SimdLevel level)
    {
        var i = 0;
        if (level == SimdLevel.Avx512)
        {
            for (; i + 16 <= n; i += 16)
            {
                var v = Vector512.FusedMultiplyAdd(Vector512.Load(value + i), Vector512.Create(weight), Vector512.Load(acc + i));
                (round ? HalfRounding.Round(v) : v).Store(acc + i);
            }
        }
        else if (level == SimdLevel.Avx2)
        {
            for (; i + 8 <= n; i += 8)
            {
                var v = Vector256.FusedMultiplyAdd(Vector256.Load(value + i), Vector256.Create(weight), Vector256.Load(acc + i));
                (round ? HalfRounding.Round(v) : v).Store(acc + i);
            }
        }
        for (; i < n; i++)
        {
            var v = MathF.FusedMultiplyAdd(value[i], weight, acc[i]);
            acc[i] = round ? HalfRounding.Round(v) : v;
        }
    }
}
