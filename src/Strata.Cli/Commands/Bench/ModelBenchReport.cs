namespace Strata.Cli.Commands.Bench;

/// <summary>The results of <c>strata bench</c>, serialised with snake_case names.</summary>
internal sealed record ModelBenchReport
{
    public required string Model { get; init; }
    public required string Simd { get; init; }
    public required int Threads { get; init; }
    public required int Prompt { get; init; }
    public required int Generate { get; init; }
    public required double PrefillTokS { get; init; }
    /// <summary>Decode from an empty context (llama-bench tg).</summary>
    public required double DecodeTokS { get; init; }
    public required int Depth { get; init; }
    /// <summary>Decode after <see cref="Depth"/> tokens of context.</summary>
    public required double DecodeDepthTokS { get; init; }
    public required IReadOnlyList<BatchedResult> Batched { get; init; }
    /// <summary>The bandwidth probe at the start (best of five 2-thread passes over 1 GiB).</summary>
    public required double MemBwGbS { get; init; }
    /// <summary>The KV cache's type and the bytes it holds per token (every layer, K and V).</summary>
    public required string KvType { get; init; }
    public required long KvBytesPerToken { get; init; }
    /// <summary>Bytes a decode step reads from empty context: weights (one token_embd row) plus the mean KV.</summary>
    public required long DecodeBytesPerToken { get; init; }
    /// <summary>
    /// Decode bytes per second over the bandwidth roof: each timed segment of 32 steps against the higher of the probes
    /// taken just before and just after it (see <see cref="BracketedDecode"/>).
    /// </summary>
    public required double DecodeRooflineFraction { get; init; }
    /// <summary>The decode segments' roofs, weighted by their time.</summary>
    public required double DecodeRoofGbS { get; init; }
    /// <summary>The probes around the decode segments, in time order: before the first, then after each.</summary>
    public required IReadOnlyList<double> DecodeRoofProbesGbS { get; init; }
    public required double DecodeDepthRooflineFraction { get; init; }
    public required IReadOnlyList<double> DecodeDepthRoofProbesGbS { get; init; }
    public required double Int8PeakGmacs { get; init; }
    /// <summary>Batch-1 decode through the engine without speculation and with each method asked for (none unless asked).</summary>
    public IReadOnlyList<SpeculationResult> Speculation { get; init; } = [];
    public required int GcCount { get; init; }
    public required double GcPauseMs { get; init; }
}
