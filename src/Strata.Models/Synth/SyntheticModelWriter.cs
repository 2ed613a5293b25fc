using System.Buffers;
using System.Runtime.InteropServices;
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
    /// "llama" (SentencePiece vocabulary), "qwen2" (BPE vocabulary, QKV biases, NeoX RoPE) or "qwen3" (BPE vocabulary,
    /// per-head RMSNorm of queries and keys, NeoX RoPE).
    /// </summary>
    public required string Architecture { get; init; }
    public required SyntheticShape Shape { get; init; }
    public required TensorType WeightType { get; init; }
    /// <summary>
    /// A GGUF whose <c>tokenizer.*</c> metadata is copied (a vocab-only file is enough); null writes a
    /// <see cref="SyntheticVocabulary"/> of the architecture's family.
    /// </summary>
    public string? VocabularyFile { get; init; }
    public int Seed { get; init; } = 1;

    public static readonly IReadOnlySet<TensorType> WeightTypes = new HashSet<TensorType>
    {
        TensorType.F32, TensorType.F16, TensorType.BF16, TensorType.Q8_0, TensorType.Q4_0, TensorType.Q4_1,
        TensorType.Q5_0, TensorType.Q5_1, TensorType.Q2_K, TensorType.Q3_K, TensorType.Q4_K, TensorType.Q5_K, TensorType.Q6_K,
    };

    public void Write(string path)
    {
        if (Architecture is not ("llama" or "qwen2" or "qwen3"))
            throw new ArgumentException($"synth writes llama, qwen2 or qwen3 models, not '{Architecture}'");
        if (!WeightTypes.Contains(WeightType))
            throw new ArgumentException($"synth cannot write {WeightType} weights");
        var s = Shape;
        if (s.EmbeddingLength % TensorTypeInfo.BlockElements(WeightType) != 0 || s.FeedForwardLength % TensorTypeInfo.BlockElements(WeightType) != 0)
            throw new ArgumentException($"{WeightType} needs embd and ffn to be multiples of {TensorTypeInfo.BlockElements(WeightType)}");

        var tokenizer = TokenizerMetadata();
        var vocabSize = tokenizer.FirstOrDefault(e => e.Key == "tokenizer.ggml.tokens").Value?.AsArray("tokenizer.ggml.tokens").Items.Length
            ?? throw new GgufFormatException($"{VocabularyFile}: no tokenizer.ggml.tokens");
        var writer = new GgufWriter();
        AddHyperParameters(writer);
        foreach (var (key, value) in tokenizer)
        {
            if (key != "tokenizer.ggml.pre")
                writer.Add(key, value);
        }
        if (UsesBpeVocabulary)
            writer.Add("tokenizer.ggml.pre", GgufValue.Of("qwen2"));
        else if (tokenizer.FirstOrDefault(e => e.Key == "tokenizer.ggml.pre").Value is { } pre)
            writer.Add("tokenizer.ggml.pre", pre);

        var tensorSeed = Seed * 1_000_003;
        void Matrix(string name, int rows, int cols) => AddMatrix(writer, name, rows, cols, tensorSeed++);
        void Ones(string name, int length) => writer.AddTensor(name, TensorType.F32, [length], s => WriteConstant(s, length, 1f));

        var queryDim = s.HeadCount * s.HeadDim;
        var kvDim = s.KvHeadCount * s.HeadDim;
        Matrix("token_embd.weight", vocabSize, s.EmbeddingLength);
        Ones("output_norm.weight", s.EmbeddingLength);
        Matrix("output.weight", vocabSize, s.EmbeddingLength);
        for (var l = 0; l < s.LayerCount; l++)
        {
            Ones($"blk.{l}.attn_norm.weight", s.EmbeddingLength);
            Matrix($"blk.{l}.attn_q.weight", queryDim, s.EmbeddingLength);
            Matrix($"blk.{l}.attn_k.weight", kvDim, s.EmbeddingLength);
            Matrix($"blk.{l}.attn_v.weight", kvDim, s.EmbeddingLength);
            if (Architecture == "qwen2")
            {
                AddVector(writer, $"blk.{l}.attn_q.bias", queryDim, tensorSeed++);
                AddVector(writer, $"blk.{l}.attn_k.bias", kvDim, tensorSeed++);
                AddVector(writer, $"blk.{l}.attn_v.bias", kvDim, tensorSeed++);
            }
            if (Architecture == "qwen3")
            {
                Ones($"blk.{l}.attn_q_norm.weight", s.HeadDim);
                Ones($"blk.{l}.attn_k_norm.weight", s.HeadDim);
            }
            Matrix($"blk.{l}.attn_output.weight", s.EmbeddingLength, queryDim);
            Ones($"blk.{l}.ffn_norm.weight", s.EmbeddingLength);
            Matrix($"blk.{l}.ffn_gate.weight", s.FeedForwardLength, s.EmbeddingLength);
            Matrix($"blk.{l}.ffn_up.weight", s.FeedForwardLength, s.EmbeddingLength);
            Matrix($"blk.{l}.ffn_down.weight", s.EmbeddingLength, s.FeedForwardLength);
        }
        writer.Write(path);
    }

    private IReadOnlyList<(string Key, GgufValue Value)> TokenizerMetadata()
    {
        if (VocabularyFile is null)
            return UsesBpeVocabulary ? SyntheticVocabulary.BytePair() : SyntheticVocabulary.SentencePiece();
        using var vocabulary = GgufFile.Open(VocabularyFile);
        return vocabulary.Metadata.Entries.Where(e => e.Key.StartsWith("tokenizer.", StringComparison.Ordinal)).Select(e => (e.Key, e.Value)).ToList();
    }

    private bool UsesBpeVocabulary => Architecture is "qwen2" or "qwen3";

    private void AddHyperParameters(GgufWriter w)
    {
        var s = Shape;
        var a = Architecture;
        w.Add("general.architecture", GgufValue.Of(a))
            .Add("general.name", GgufValue.Of($"strata-synth-{a}-{s.EmbeddingLength}x{s.LayerCount}"))
            .Add($"{a}.context_length", GgufValue.Of((uint)s.ContextLength))
            .Add($"{a}.embedding_length", GgufValue.Of((uint)s.EmbeddingLength))
            .Add($"{a}.block_count", GgufValue.Of((uint)s.LayerCount))
            .Add($"{a}.feed_forward_length", GgufValue.Of((uint)s.FeedForwardLength))
            .Add($"{a}.rope.dimension_count", GgufValue.Of((uint)s.HeadDim))
            .Add($"{a}.rope.freq_base", GgufValue.Of(UsesBpeVocabulary ? 1_000_000f : 10_000f))
            .Add($"{a}.attention.head_count", GgufValue.Of((uint)s.HeadCount))
            .Add($"{a}.attention.head_count_kv", GgufValue.Of((uint)s.KvHeadCount))
            .Add($"{a}.attention.key_length", GgufValue.Of((uint)s.HeadDim))
            .Add($"{a}.attention.value_length", GgufValue.Of((uint)s.HeadDim))
            .Add($"{a}.attention.layer_norm_rms_epsilon", GgufValue.Of(UsesBpeVocabulary ? 1e-6f : 1e-5f))
            .Add("general.file_type", GgufValue.Of((uint)FileType(WeightType)));
    }

    private void AddMatrix(GgufWriter writer, string name, int rows, int cols, int seed)
    {
        var rowBytes = (int)TensorTypeInfo.RowBytes(WeightType, cols);
        writer.AddTensor(name, WeightType, [cols, rows], stream =>
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
                    FillNormal(random, values.AsSpan(0, cols), WeightStdDev);
                    Quantizer.QuantizeRow(WeightType, values.AsSpan(0, cols), bytes.AsSpan(r * rowBytes, rowBytes));
                }
                ArrayPool<float>.Shared.Return(values);
                encoded[chunk] = bytes;
            });
            foreach (var bytes in encoded)
                stream.Write(bytes);
        });
    }

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
    private static void FillNormal(Random random, Span<float> values, float stdDev)
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
