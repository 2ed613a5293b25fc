namespace Strata.Models.Synth;

/// <summary>The dimensions of a synthetic model: real shapes, random weights.</summary>
public sealed record SyntheticShape(int EmbeddingLength, int LayerCount, int HeadCount, int KvHeadCount, int FeedForwardLength, int ContextLength)
{
    /// <summary>A 1B-class Llama (TinyLlama-like): 852M parameters with the 32000-token vocabulary.</summary>
    public static SyntheticShape OneB { get; } = new(2048, 16, 32, 8, 5632, 2048);

    public static SyntheticShape ThreeHundredM { get; } = new(1024, 16, 16, 4, 2816, 2048);

    public static SyntheticShape Named(string name) => name switch
    {
        "1b" => OneB,
        "300m" => ThreeHundredM,
        _ => throw new ArgumentException($"unknown shape '{name}' (known: 1b, 300m)"),
    };

    /// <summary>Parses "embd,layers,heads,kv_heads,ffn".</summary>
    public static SyntheticShape Parse(string dims, int contextLength)
    {
        var parts = dims.Split(',');
        if (parts.Length != 5 || parts.Any(p => !int.TryParse(p, out var v) || v <= 0))
            throw new ArgumentException($"--dims must be five positive integers embd,layers,heads,kv_heads,ffn; got '{dims}'");
        var v = parts.Select(int.Parse).ToArray();
        var shape = new SyntheticShape(v[0], v[1], v[2], v[3], v[4], contextLength);
        if (shape.EmbeddingLength % shape.HeadCount != 0 || shape.HeadCount % shape.KvHeadCount != 0)
            throw new ArgumentException($"--dims {dims}: embd must divide into heads and heads into kv_heads");
        return shape;
    }

    /// <summary>Width of one attention head; models such as Qwen3 make it larger than embd / heads.</summary>
    public int HeadDim { get; init; } = EmbeddingLength / HeadCount;
}
