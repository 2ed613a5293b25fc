using Strata.Kernels.Experts;
using Strata.Kernels.Ops;
using Strata.Models.Gguf;
using Strata.KvCache;

namespace Strata.Models.Llama;

/// <summary>
/// Hyper-parameters of a Llama-family model, read from GGUF metadata. Sparse models add <see cref="Experts"/>
/// (Mixtral is "llama" with experts; qwen2moe, qwen3moe, deepseek2) and DeepSeek-V2 its latent attention.
/// </summary>
public sealed record ModelConfig
{
    public static readonly IReadOnlySet<string> SupportedArchitectures = new HashSet<string>(StringComparer.Ordinal)
    {
        "llama", "mistral", "qwen2", "qwen3", "qwen2moe", "qwen3moe", "deepseek2",
    };

    public required string Architecture { get; init; }
    public required int EmbeddingLength { get; init; }
    public required int LayerCount { get; init; }
    public required int HeadCount { get; init; }
    public required int KvHeadCount { get; init; }
    public required int HeadDim { get; init; }
    public required int FeedForwardLength { get; init; }
    public required int VocabSize { get; init; }
    public required int ContextLength { get; init; }
    public required float RmsEpsilon { get; init; }
    public required float RopeFreqBase { get; init; }
    public required float RopeFreqScale { get; init; }
    public required int RopeDimensions { get; init; }
    public required RopeStyle RopeStyle { get; init; }

    /// <summary>Attention looks back at most this many positions (0: unlimited).</summary>
    public int SlidingWindow { get; init; }

    /// <summary>The mixture of experts of a sparse model; null for a dense one.</summary>
    public ExpertConfig? Experts { get; init; }

    /// <summary>DeepSeek-V2's multi-head latent attention; null for grouped-query attention.</summary>
    public LatentAttentionConfig? LatentAttention { get; init; }

    public int QueryDim => HeadCount * HeadDim;

    public int KvDim => KvHeadCount * HeadDim;

    public int GroupSize => HeadCount / KvHeadCount;

    /// <summary>The KV block shape the model needs (for latent attention, one cached row per token: keys only).</summary>
    public KvLayout KvLayout(int blockSize, KvDataType dataType) =>
        new(LayerCount, KvHeadCount, HeadDim, blockSize, dataType, KeysOnly: LatentAttention is not null);

    /// <summary>
    /// Bytes per token the cache would take holding every head's key and value (for latent attention, what the
    /// expanded keys and values would need: the comparison its compression is measured against).
    /// </summary>
    public long FullKvBytesPerToken(KvDataType dataType) => LatentAttention is { } a
        ? (long)LayerCount * HeadCount * (a.QueryHeadDim + a.ValueDim) * (dataType == KvDataType.F16 ? 2 : 4)
        : KvLayout(1, dataType).BytesPerToken;

    /// <summary>The softmax scale of attention scores: 1/√(query head width) (before latent absorption).</summary>
    public float AttentionScale => 1f / MathF.Sqrt(LatentAttention?.QueryHeadDim ?? HeadDim);

    public static ModelConfig FromGguf(GgufFile file)
    {
        var m = file.Metadata;
        var arch = m.GetString("general.architecture");
        if (!SupportedArchitectures.Contains(arch))
            throw new NotSupportedException($"{file.Path}: architecture '{arch}' is not supported (supported: {string.Join(", ", SupportedArchitectures)})");
        string Key(string name) => $"{arch}.{name}";

        var embedding = m.GetInt32(Key("embedding_length"));
        var heads = m.GetInt32(Key("attention.head_count"));
        var headDim = m.GetInt32(Key("attention.key_length"), embedding / heads);
        var ropeScale = 1f;
        if (m.GetStringOrNull(Key("rope.scaling.type")) is "linear")
            ropeScale = 1f / m.GetFloat(Key("rope.scaling.factor"), 1f);
        var config = new ModelConfig
        {
            Architecture = arch,
            EmbeddingLength = embedding,
            LayerCount = m.GetInt32(Key("block_count")),
            HeadCount = heads,
            KvHeadCount = m.GetInt32(Key("attention.head_count_kv"), heads),
            HeadDim = headDim,
            FeedForwardLength = m.GetInt32(Key("feed_forward_length")),
            VocabSize = checked((int)file.GetTensor("token_embd.weight").Rows),
            ContextLength = m.GetInt32(Key("context_length"), 2048),
            RmsEpsilon = m.GetFloat(Key("attention.layer_norm_rms_epsilon"), 1e-5f),
            RopeFreqBase = m.GetFloat(Key("rope.freq_base"), 10000f),
            RopeFreqScale = ropeScale,
            RopeDimensions = m.GetInt32(Key("rope.dimension_count"), headDim),
            RopeStyle = arch is "qwen2" or "qwen3" or "qwen2moe" or "qwen3moe" ? RopeStyle.NeoX : RopeStyle.Normal,
            SlidingWindow = m.GetInt32(Key("attention.sliding_window"), 0),
            Experts = ReadExperts(file, arch),
            LatentAttention = arch == "deepseek2" ? ReadLatentAttention(file) : null,
        };
        config.Validate(file.Path);
        return config;
    }

    /// <summary>
    /// The experts as llama.cpp reads them for each architecture: Mixtral (llama) and qwen3moe normalise the chosen
    /// weights, qwen2moe does not and gates its shared expert, deepseek2 takes gating, normalisation, scale, shared
    /// experts and leading dense layers from the metadata.
    /// </summary>
    private static ExpertConfig? ReadExperts(GgufFile file, string arch)
    {
        var m = file.Metadata;
        string Key(string name) => $"{arch}.{name}";
        var count = m.GetInt32(Key("expert_count"), 0);
        if (count == 0 || arch is "mistral" or "qwen2" or "qwen3")
            return null;
        var used = m.GetInt32(Key("expert_used_count"), 0);
        if (used <= 0 || used > count)
            throw new GgufFormatException($"{file.Path}: {used} of {count} experts used per token");
        if (m.GetInt32(Key("expert_group_count"), 0) > 1)
            throw new NotSupportedException($"{file.Path}: group-limited expert routing (expert_group_count) is not supported");
        var ffn = m.GetInt32(Key("feed_forward_length"), 0);
        var expertFfn = m.GetInt32(Key("expert_feed_forward_length"), ffn / used);
        return arch switch
        {
            "llama" => new ExpertConfig { Count = count, UsedCount = used, FeedForwardLength = ffn, NormalizeWeights = true },
            "qwen2moe" => new ExpertConfig
            {
                Count = count, UsedCount = used, FeedForwardLength = expertFfn,
                SharedFeedForwardLength = m.GetInt32(Key("expert_shared_feed_forward_length"), ffn), SharedGate = true,
            },
            "qwen3moe" => new ExpertConfig { Count = count, UsedCount = used, FeedForwardLength = expertFfn, NormalizeWeights = true },
            _ => new ExpertConfig
            {
                Count = count, UsedCount = used,
                FeedForwardLength = m.GetInt32(Key("expert_feed_forward_length")),
                SharedFeedForwardLength = m.GetInt32(Key("expert_feed_forward_length")) * m.GetInt32(Key("expert_shared_count"), 0),
                Gating = m.GetInt32(Key("expert_gating_func"), 0) switch
                {
                    0 or (int)ExpertGating.Softmax => ExpertGating.Softmax,
                    (int)ExpertGating.Sigmoid => ExpertGating.Sigmoid,
                    var other => throw new NotSupportedException($"{file.Path}: expert gating function {other} is not supported"),
                },
                NormalizeWeights = m.GetBool(Key("expert_weights_norm"), false),
                WeightsScale = m.GetFloat(Key("expert_weights_scale"), 0f),
                LeadingDenseLayers = m.GetInt32(Key("leading_dense_block_count"), 0),
            },
        };
    }

    private static LatentAttentionConfig ReadLatentAttention(GgufFile file)
    {
        var m = file.Metadata;
        var keyLength = m.GetInt32("deepseek2.attention.key_length_mla", 0);
        var valueLength = m.GetInt32("deepseek2.attention.value_length_mla", 0);
        if (keyLength == 0 || valueLength == 0)
            throw new NotSupportedException($"{file.Path}: deepseek2 without the split attn_k_b/attn_v_b tensors (key_length_mla) is not supported; convert it with a recent llama.cpp");
        if (m.GetStringOrNull("deepseek2.rope.scaling.type") is { } scaling && scaling != "none" && m.GetFloat("deepseek2.rope.scaling.factor", 1f) != 1f)
            throw new NotSupportedException($"{file.Path}: deepseek2 with {scaling} RoPE scaling is not supported");
        var rope = m.GetInt32("deepseek2.rope.dimension_count");
        return new LatentAttentionConfig
        {
            QueryRank = m.GetInt32("deepseek2.attention.q_lora_rank", 0),
            KvRank = m.GetInt32("deepseek2.attention.kv_lora_rank"),
            NopeDim = keyLength - rope,
            RopeDim = rope,
            ValueDim = valueLength,
        };
    }

    private void Validate(string path)
    {
        if (EmbeddingLength <= 0 || LayerCount <= 0 || HeadCount <= 0 || KvHeadCount <= 0 || HeadDim <= 0 || FeedForwardLength <= 0)
            throw new GgufFormatException($"{path}: invalid model dimensions {this}");
        if (HeadCount % KvHeadCount != 0)
            throw new GgufFormatException($"{path}: {HeadCount} attention heads are not a multiple of {KvHeadCount} KV heads");
        if (RopeDimensions > HeadDim || RopeDimensions % 2 != 0)
            throw new GgufFormatException($"{path}: rope dimension count {RopeDimensions} does not fit head size {HeadDim}");
        if (Experts is { } e && (e.Count <= 0 || e.FeedForwardLength <= 0 || e.SharedFeedForwardLength < 0 || e.LeadingDenseLayers < 0))
            throw new GgufFormatException($"{path}: invalid expert dimensions {e}");
        if (LatentAttention is { } a && (a.KvRank <= 0 || a.NopeDim <= 0 || a.ValueDim <= 0 || KvHeadCount != 1 || HeadDim != a.CacheWidth))
            throw new GgufFormatException($"{path}: latent attention {a} does not fit {KvHeadCount} KV heads of {HeadDim}");
    }
}
