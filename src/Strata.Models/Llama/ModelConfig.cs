using Strata.Kernels.Ops;
using Strata.Models.Gguf;

namespace Strata.Models.Llama;

/// <summary>Hyper-parameters of a Llama-family model, read from GGUF metadata.</summary>
public sealed record ModelConfig
{
    public static readonly IReadOnlySet<string> SupportedArchitectures = new HashSet<string>(StringComparer.Ordinal)
    {
        "llama", "mistral", "qwen2", "qwen3",
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

    public int QueryDim => HeadCount * HeadDim;

    public int KvDim => KvHeadCount * HeadDim;

    public int GroupSize => HeadCount / KvHeadCount;

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
            RopeStyle = arch is "qwen2" or "qwen3" ? RopeStyle.NeoX : RopeStyle.Normal,
            SlidingWindow = m.GetInt32(Key("attention.sliding_window"), 0),
        };
        config.Validate(file.Path);
        return config;
    }

    private void Validate(string path)
    {
        if (EmbeddingLength <= 0 || LayerCount <= 0 || HeadCount <= 0 || KvHeadCount <= 0 || HeadDim <= 0 || FeedForwardLength <= 0)
            throw new GgufFormatException($"{path}: invalid model dimensions {this}");
        if (HeadCount % KvHeadCount != 0)
            throw new GgufFormatException($"{path}: {HeadCount} attention heads are not a multiple of {KvHeadCount} KV heads");
        if (RopeDimensions > HeadDim || RopeDimensions % 2 != 0)
            throw new GgufFormatException($"{path}: rope dimension count {RopeDimensions} does not fit head size {HeadDim}");
    }
}
