using System.Buffers;
using System.Runtime.InteropServices;
using Strata.Kernels.Experts;
using Strata.Kernels.Quant;
using Strata.Models.Gguf;

namespace Strata.Models.Synth;

/// <summary>
/// Writes a GGUF model with a real architecture and vocabulary but random weights (normal, σ = 0.02; norms 1), for
/// measuring speed and memory at realistic sizes. The same seed always writes the same file.
/// </summary>
public sealed class SyntheticModelWriter
{
    private const float WeightStdDev = 0.02f;
    private const int RowsPerChunk = 64;

    /// <summary>
    /// "llama" (SentencePiece vocabulary), "qwen2" (BPE vocabulary, QKV biases, NeoX RoPE), "qwen3" (BPE vocabulary,
    /// per-head RMSNorm of queries and keys, NeoX RoPE), and the sparse ones: "mixtral" (llama with experts),
    /// "qwen2moe" (qwen2 with experts and a gated shared expert), "qwen3moe" (qwen3 with experts) and "deepseek2"
    /// (multi-head latent attention, shared experts, leading dense layers).
    /// </summary>
    public required string Architecture { get; init; }
    public required SyntheticShape Shape { get; init; }
    public required TensorType WeightType { get; init; }

    /// <summary>llama-quantize's choice of type per matrix; without one every matrix is <see cref="WeightType"/>.</summary>
    public QuantizationMix? Mix { get; init; }

    /// <summary>
    /// A GGUF whose <c>tokenizer.*</c> metadata is copied (a vocab-only file is enough); null writes a
    /// <see cref="SyntheticVocabulary"/> of the architecture's family.
    /// </summary>
    public string? VocabularyFile { get; init; }
    public int Seed { get; init; } = 1;

    /// <summary>The experts of a sparse architecture (default <see cref="SyntheticExperts.For"/>); ignored by dense ones.</summary>
    public SyntheticExperts? Experts { get; init; }

    /// <summary>
    /// deepseek2: the rank of the compressed query (default half of embd; 0: queries projected directly, as in
    /// DeepSeek-V2-Lite, which llama.cpp accepts only for 26- or 27-layer models).
    /// </summary>
    public int? QueryRank { get; init; }

    /// <summary>
    /// llama only: weights with a copying circuit (<see cref="CopyingCircuit"/>: a previous-token head and induction
    /// heads) so that greedy output repeats spans of the prompt, as trained models do; same tensors, types and sizes.
    /// </summary>
    public bool Copying { get; init; }

    public static readonly IReadOnlySet<string> Architectures = new HashSet<string>(StringComparer.Ordinal)
    {
        "llama", "qwen2", "qwen3", "mixtral", "qwen2moe", "qwen3moe", "deepseek2",
    };

    public static readonly IReadOnlySet<TensorType> WeightTypes = new HashSet<TensorType>
    {
        TensorType.F32, TensorType.F16, TensorType.BF16, TensorType.Q8_0, TensorType.Q4_0, TensorType.Q4_1,
        TensorType.Q5_0, TensorType.Q5_1, TensorType.Q2_K, TensorType.Q3_K, TensorType.Q4_K, TensorType.Q5_K, TensorType.Q6_K,
    };

    /// <summary>The family's vocabulary among the shared vocab-only files.</summary>
    public static string VocabularyFor(string architecture) => architecture switch
    {
        "llama" or "mixtral" => "ggml-vocab-llama-spm.gguf",
        "deepseek2" => "ggml-vocab-deepseek-llm.gguf",
        _ => "ggml-vocab-gpt-2.gguf",
    };

    public void Write(string path)
    {
        if (!Architectures.Contains(Architecture))
            throw new ArgumentException($"synth writes {string.Join(", ", Architectures)} models, not '{Architecture}'");
        if (!WeightTypes.Contains(WeightType))
            throw new ArgumentException($"synth cannot write {WeightType} weights");
        var s = Shape;
        if (Mix is null && (s.EmbeddingLength % TensorTypeInfo.BlockElements(WeightType) != 0 || s.FeedForwardLength % TensorTypeInfo.BlockElements(WeightType) != 0))
            throw new ArgumentException($"{WeightType} needs embd and ffn to be multiples of {TensorTypeInfo.BlockElements(WeightType)}");
        var experts = IsSparse ? Experts ?? SyntheticExperts.For(Architecture) : null;
        if (experts is not null)
            Check(experts);
        if (Copying && Architecture != "llama")
            throw new ArgumentException($"--copying writes llama models, not '{Architecture}'");

        var tokenizer = TokenizerMetadata();
        var vocabSize = tokenizer.FirstOrDefault(e => e.Key == "tokenizer.ggml.tokens").Value?.AsArray("tokenizer.ggml.tokens").Items.Length
            ?? throw new GgufFormatException($"{VocabularyFile}: no tokenizer.ggml.tokens");
        _circuit = Copying ? new CopyingCircuit(s, vocabSize, Seed) : null;
        var writer = new GgufWriter();
        AddHyperParameters(writer, experts);
        foreach (var (key, value) in tokenizer)
        {
            if (key != "tokenizer.ggml.pre")
                writer.Add(key, value);
        }
        if (UsesQwenVocabulary)
            writer.Add("tokenizer.ggml.pre", GgufValue.Of("qwen2"));
        else if (tokenizer.FirstOrDefault(e => e.Key == "tokenizer.ggml.pre").Value is { } pre)
            writer.Add("tokenizer.ggml.pre", pre);

        var tensorSeed = Seed * 1_000_003;
        void Matrix(string name, MatrixRole role, int rows, int cols) => AddMatrix(writer, name, [cols, rows], tensorSeed++, MixType(role, 0, cols), role, 0);
        void Ones(string name, int length) => writer.AddTensor(name, TensorType.F32, [length], s => WriteConstant(s, length, 1f));

        Matrix("token_embd.weight", MatrixRole.TokenEmbedding, vocabSize, s.EmbeddingLength);
        Ones("output_norm.weight", s.EmbeddingLength);
        Matrix("output.weight", MatrixRole.Output, vocabSize, s.EmbeddingLength);
        for (var l = 0; l < s.LayerCount; l++)
        {
            Ones($"blk.{l}.attn_norm.weight", s.EmbeddingLength);
            if (Architecture == "deepseek2")
                AddLatentAttention(writer, l, ref tensorSeed);
            else
                AddAttention(writer, l, ref tensorSeed);
            Ones($"blk.{l}.ffn_norm.weight", s.EmbeddingLength);
            if (experts is null)
                AddFeedForward(writer, l, "", s.FeedForwardLength, ref tensorSeed);
            else if (l < experts.LeadingDenseLayers)
                AddFeedForward(writer, l, "", s.FeedForwardLength * (experts.Used + experts.Shared), ref tensorSeed);
            else
                AddExperts(writer, l, experts, ref tensorSeed);
        }
        writer.Write(path);
    }

    private IReadOnlyList<(string Key, GgufValue Value)> TokenizerMetadata()
    {
        if (VocabularyFile is null)
            return UsesQwenVocabulary ? SyntheticVocabulary.BytePair() : SyntheticVocabulary.SentencePiece();
        using var vocabulary = GgufFile.Open(VocabularyFile);
        return vocabulary.Metadata.Entries.Where(e => e.Key.StartsWith("tokenizer.", StringComparison.Ordinal)).Select(e => (e.Key, e.Value)).ToList();
    }

    /// <summary>DeepSeek-V2's compressed latent: a quarter of embd (512 for 2048, as in V2-Lite); rope half a head.</summary>
    public int KvRank => Shape.EmbeddingLength / 4;

    public int RopeDim => Shape.HeadDim / 2;

    private CopyingCircuit? _circuit;

    private int CompressedQueryRank => QueryRank ?? Shape.EmbeddingLength / 2;

    private bool IsSparse => Architecture is "mixtral" or "qwen2moe" or "qwen3moe" or "deepseek2";

    private bool UsesQwenVocabulary => Architecture is "qwen2" or "qwen3" or "qwen2moe" or "qwen3moe";

    /// <summary>The architecture name in the file: Mixtral is llama with experts.</summary>
    private string FileArchitecture => Architecture == "mixtral" ? "llama" : Architecture;

    private void Check(SyntheticExperts e)
    {
        if (e.Count < 1 || e.Used < 1 || e.Used > e.Count || e.Shared < 0 || e.LeadingDenseLayers < 0 || e.LeadingDenseLayers >= Shape.LayerCount)
            throw new ArgumentException($"invalid experts {e}: need 1 ≤ used ≤ count, shared ≥ 0 and fewer dense layers than {Shape.LayerCount}");
        if (e.Shared > 0 && Architecture is "mixtral" or "qwen3moe")
            throw new ArgumentException($"{Architecture} has no shared experts");
        if (e.Shared < 1 && Architecture == "qwen2moe")
            throw new ArgumentException("qwen2moe always has a shared expert");
        if (e.LeadingDenseLayers > 0 && Architecture != "deepseek2")
            throw new ArgumentException("only deepseek2 has leading dense layers");
        if (e.Gating != ExpertGating.Softmax && Architecture != "deepseek2")
            throw new ArgumentException($"{Architecture} routes with a softmax");
    }

    private void AddAttention(GgufWriter writer, int l, ref int tensorSeed)
    {
        var s = Shape;
        var queryDim = s.HeadCount * s.HeadDim;
        var kvDim = s.KvHeadCount * s.HeadDim;
        AddMatrix(writer, $"blk.{l}.attn_q.weight", [s.EmbeddingLength, queryDim], tensorSeed++, MixType(MatrixRole.Query, l, s.EmbeddingLength), MatrixRole.Query, l);
        AddMatrix(writer, $"blk.{l}.attn_k.weight", [s.EmbeddingLength, kvDim], tensorSeed++, MixType(MatrixRole.Key, l, s.EmbeddingLength), MatrixRole.Key, l);
        AddMatrix(writer, $"blk.{l}.attn_v.weight", [s.EmbeddingLength, kvDim], tensorSeed++, MixType(MatrixRole.Value, l, s.EmbeddingLength), MatrixRole.Value, l);
        if (Architecture is "qwen2" or "qwen2moe")
        {
            AddVector(writer, $"blk.{l}.attn_q.bias", queryDim, tensorSeed++);
            AddVector(writer, $"blk.{l}.attn_k.bias", kvDim, tensorSeed++);
            AddVector(writer, $"blk.{l}.attn_v.bias", kvDim, tensorSeed++);
        }
        if (Architecture is "qwen3" or "qwen3moe")
        {
            writer.AddTensor($"blk.{l}.attn_q_norm.weight", TensorType.F32, [s.HeadDim], x => WriteConstant(x, s.HeadDim, 1f));
            writer.AddTensor($"blk.{l}.attn_k_norm.weight", TensorType.F32, [s.HeadDim], x => WriteConstant(x, s.HeadDim, 1f));
        }
        AddMatrix(writer, $"blk.{l}.attn_output.weight", [queryDim, s.EmbeddingLength], tensorSeed++, MixType(MatrixRole.AttentionOutput, l, queryDim), MatrixRole.AttentionOutput, l);
    }

    /// <summary>DeepSeek-V2's attention with the absorbed form's split tensors (attn_k_b, attn_v_b), as llama.cpp converts it.</summary>
    private void AddLatentAttention(GgufWriter writer, int l, ref int tensorSeed)
    {
        var s = Shape;
        var (nope, rope, value) = (s.HeadDim, RopeDim, s.HeadDim);
        var queryDim = s.HeadCount * (nope + rope);
        var rank = CompressedQueryRank;
        if (rank > 0)
        {
            AddMatrix(writer, $"blk.{l}.attn_q_a.weight", [s.EmbeddingLength, rank], tensorSeed++);
            writer.AddTensor($"blk.{l}.attn_q_a_norm.weight", TensorType.F32, [rank], x => WriteConstant(x, rank, 1f));
            AddMatrix(writer, $"blk.{l}.attn_q_b.weight", [rank, queryDim], tensorSeed++);
        }
        else
        {
            AddMatrix(writer, $"blk.{l}.attn_q.weight", [s.EmbeddingLength, queryDim], tensorSeed++);
        }
        AddMatrix(writer, $"blk.{l}.attn_kv_a_mqa.weight", [s.EmbeddingLength, KvRank + rope], tensorSeed++);
        writer.AddTensor($"blk.{l}.attn_kv_a_norm.weight", TensorType.F32, [KvRank], x => WriteConstant(x, KvRank, 1f));
        AddMatrix(writer, $"blk.{l}.attn_k_b.weight", [nope, KvRank, s.HeadCount], tensorSeed++);
        AddMatrix(writer, $"blk.{l}.attn_v_b.weight", [KvRank, value, s.HeadCount], tensorSeed++);
        AddMatrix(writer, $"blk.{l}.attn_output.weight", [s.HeadCount * value, s.EmbeddingLength], tensorSeed++);
    }

    /// <summary>The type a llama-quantize mix gives the matrix, or null (the model's type) without a mix.</summary>
    private TensorType? MixType(MatrixRole role, int layer, int cols) =>
        Mix?.TypeFor(role, layer, Shape.LayerCount, Shape.HeadCount / Shape.KvHeadCount, cols);

    private void AddFeedForward(GgufWriter writer, int l, string suffix, int width, ref int tensorSeed)
    {
        var embedding = Shape.EmbeddingLength;
        AddMatrix(writer, $"blk.{l}.ffn_gate{suffix}.weight", [embedding, width], tensorSeed++, MixType(MatrixRole.Gate, l, embedding), MatrixRole.Gate, l);
        AddMatrix(writer, $"blk.{l}.ffn_up{suffix}.weight", [embedding, width], tensorSeed++, MixType(MatrixRole.Up, l, embedding), MatrixRole.Up, l);
        AddMatrix(writer, $"blk.{l}.ffn_down{suffix}.weight", [width, embedding], tensorSeed++, MixType(MatrixRole.Down, l, width), MatrixRole.Down, l);
    }

    /// <summary>
    /// The router (F32, as llama-quantize leaves it), the experts as 3-D tensors [cols, rows, experts], and the shared
    /// experts with, for qwen2moe, their gate.
    /// </summary>
    private void AddExperts(GgufWriter writer, int l, SyntheticExperts e, ref int tensorSeed)
    {
        var embedding = Shape.EmbeddingLength;
        var ffn = Shape.FeedForwardLength;
        AddMatrix(writer, $"blk.{l}.ffn_gate_inp.weight", [embedding, e.Count], tensorSeed++, TensorType.F32);
        if (e.Gating == ExpertGating.Sigmoid)
            AddVector(writer, $"blk.{l}.exp_probs_b.bias", e.Count, tensorSeed++);
        AddMatrix(writer, $"blk.{l}.ffn_gate_exps.weight", [embedding, ffn, e.Count], tensorSeed++);
        AddMatrix(writer, $"blk.{l}.ffn_up_exps.weight", [embedding, ffn, e.Count], tensorSeed++);
        AddMatrix(writer, $"blk.{l}.ffn_down_exps.weight", [ffn, embedding, e.Count], tensorSeed++);
        if (e.Shared > 0)
            AddFeedForward(writer, l, "_shexp", ffn * e.Shared, ref tensorSeed);
        if (Architecture == "qwen2moe")
            AddVector(writer, $"blk.{l}.ffn_gate_inp_shexp.weight", embedding, tensorSeed++);
    }

    private void AddHyperParameters(GgufWriter w, SyntheticExperts? experts)
    {
        var s = Shape;
        var a = FileArchitecture;
        var latent = Architecture == "deepseek2";
        w.Add("general.architecture", GgufValue.Of(a))
            .Add("general.name", GgufValue.Of($"strata-synth-{Architecture}-{s.EmbeddingLength}x{s.LayerCount}{(Copying ? "-copying" : "")}"))
            .Add($"{a}.context_length", GgufValue.Of((uint)s.ContextLength))
            .Add($"{a}.embedding_length", GgufValue.Of((uint)s.EmbeddingLength))
            .Add($"{a}.block_count", GgufValue.Of((uint)s.LayerCount))
            .Add($"{a}.feed_forward_length", GgufValue.Of((uint)(experts is null || Architecture == "mixtral" ? s.FeedForwardLength : s.FeedForwardLength * (experts.Used + experts.Shared))))
            .Add($"{a}.rope.dimension_count", GgufValue.Of((uint)(latent ? RopeDim : s.HeadDim)))
            .Add($"{a}.rope.freq_base", GgufValue.Of(UsesQwenVocabulary ? 1_000_000f : Copying ? CopyingCircuit.RopeFreqBase : 10_000f))
            .Add($"{a}.attention.head_count", GgufValue.Of((uint)s.HeadCount))
            .Add($"{a}.attention.head_count_kv", GgufValue.Of((uint)(latent ? 1 : s.KvHeadCount)))
            .Add($"{a}.attention.key_length", GgufValue.Of((uint)(latent ? KvRank + RopeDim : s.HeadDim)))
            .Add($"{a}.attention.value_length", GgufValue.Of((uint)(latent ? KvRank : s.HeadDim)))
            .Add($"{a}.attention.layer_norm_rms_epsilon", GgufValue.Of(UsesQwenVocabulary || latent ? 1e-6f : 1e-5f))
            .Add("general.file_type", GgufValue.Of((uint)(Mix?.FileType ?? FileType(WeightType))));
        if (latent)
        {
            w.Add($"{a}.attention.kv_lora_rank", GgufValue.Of((uint)KvRank))
                .Add($"{a}.attention.key_length_mla", GgufValue.Of((uint)(s.HeadDim + RopeDim)))
                .Add($"{a}.attention.value_length_mla", GgufValue.Of((uint)s.HeadDim));
            if (CompressedQueryRank > 0)
                w.Add($"{a}.attention.q_lora_rank", GgufValue.Of((uint)CompressedQueryRank));
        }
        if (experts is null)
            return;
        w.Add($"{a}.expert_count", GgufValue.Of((uint)experts.Count))
            .Add($"{a}.expert_used_count", GgufValue.Of((uint)experts.Used));
        if (Architecture != "mixtral")
            w.Add($"{a}.expert_feed_forward_length", GgufValue.Of((uint)s.FeedForwardLength));
        if (Architecture == "qwen2moe")
            w.Add($"{a}.expert_shared_feed_forward_length", GgufValue.Of((uint)(s.FeedForwardLength * experts.Shared)));
        if (latent)
        {
            var sigmoid = experts.Gating == ExpertGating.Sigmoid;
            w.Add($"{a}.expert_shared_count", GgufValue.Of((uint)experts.Shared))
                .Add($"{a}.leading_dense_block_count", GgufValue.Of((uint)experts.LeadingDenseLayers))
                .Add($"{a}.expert_gating_func", GgufValue.Of((uint)experts.Gating))
                .Add($"{a}.expert_weights_norm", GgufValue.Of(sigmoid))
                .Add($"{a}.expert_weights_scale", GgufValue.Of(sigmoid ? 2.5f : 1f));
        }
    }

    /// <summary>
    /// A matrix [cols, rows] (or a stack of them, [cols, rows, count]) of random weights in the model's type; a
    /// width the type's blocks do not divide is written as Q8_0 or, failing that, F32.
    /// </summary>
    private void AddMatrix(GgufWriter writer, string name, long[] dimensions, int seed, TensorType? type = null, MatrixRole? role = null, int layer = 0)
    {
        var stdDev = _circuit is not null && role is { } r ? WeightStdDev * CopyingCircuit.StdDevScale(r) : WeightStdDev;
        var circuitRows = role is { } matrix ? _circuit?.RowsOf(matrix, layer) : null;
        var cols = (int)dimensions[0];
        var rows = (int)(dimensions.Skip(1).Aggregate(1L, (a, d) => a * d));
        var weightType = type ?? TypeFor(cols);
        var rowBytes = (int)TensorTypeInfo.RowBytes(weightType, cols);
        writer.AddTensor(name, weightType, dimensions, stream =>
        {
            var chunks = (rows + RowsPerChunk - 1) / RowsPerChunk;
            var encoded = new byte[chunks][];
            // Chunks are generated in parallel from seeds of their own, so the bytes do not depend on the thread count.
            Parallel.For(0, chunks, chunk =>
            {
                var first = chunk * RowsPerChunk;
                var count = Math.Min(RowsPerChunk, rows - first);
                var random = new Random(unchecked(seed * 7919 + chunk) & int.MaxValue);
                var values = ArrayPool<float>.Shared.Rent(cols);
                var bytes = new byte[count * rowBytes];
                for (var r = 0; r < count; r++)
                {
                    FillNormal(random, values.AsSpan(0, cols), stdDev);
                    circuitRows?.Invoke(first + r, values.AsSpan(0, cols));
                    Quantizer.QuantizeRow(weightType, values.AsSpan(0, cols), bytes.AsSpan(r * rowBytes, rowBytes));
                }
                ArrayPool<float>.Shared.Return(values);
                encoded[chunk] = bytes;
            });
            foreach (var bytes in encoded)
                stream.Write(bytes);
        });
    }

    private TensorType TypeFor(int cols) =>
        cols % TensorTypeInfo.BlockElements(WeightType) == 0 ? WeightType
        : cols % TensorTypeInfo.BlockElements(TensorType.Q8_0) == 0 ? TensorType.Q8_0
        : TensorType.F32;

    private static void AddVector(GgufWriter writer, string name, int length, int seed)
    {
        var values = new float[length];
        FillNormal(new Random(seed), values, WeightStdDev);
        writer.AddTensor(name, TensorType.F32, [length], MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
    }

    private static void WriteConstant(Stream stream, int length, float value)
    {
        var values = new float[length];
        values.AsSpan().Fill(value);
        stream.Write(MemoryMarshal.AsBytes(values.AsSpan()));
    }

    /// <summary>Box–Muller normal samples.</summary>
    internal static void FillNormal(Random random, Span<float> values, float stdDev)
    {
        for (var i = 0; i < values.Length; i += 2)
        {
            var radius = MathF.Sqrt(-2f * MathF.Log(1f - random.NextSingle())) * stdDev;
            var angle = 2f * MathF.PI * random.NextSingle();
            values[i] = radius * MathF.Cos(angle);
            if (i + 1 < values.Length)
                values[i + 1] = radius * MathF.Sin(angle);
        }
    }

    /// <summary>llama.cpp's LLAMA_FTYPE numbers, stored in general.file_type.</summary>
    private static int FileType(TensorType type) => type switch
    {
        TensorType.F32 => 0,
        TensorType.F16 => 1,
        TensorType.Q4_0 => 2,
        TensorType.Q4_1 => 3,
        TensorType.Q8_0 => 7,
        TensorType.Q5_0 => 8,
        TensorType.Q5_1 => 9,
        TensorType.Q2_K => 10,
        TensorType.Q3_K => 12,
        TensorType.Q4_K => 15,
        TensorType.Q5_K => 17,
        TensorType.Q6_K => 18,
        TensorType.BF16 => 32,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };
}
