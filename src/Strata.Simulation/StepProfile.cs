using System.Text.Json;

namespace Strata.Simulation;

/// <summary>
/// What <c>strata profile</c> measured on this machine for one model: the step cost law and the engine settings the
/// server would run with (step token budget, sequences, KV blocks, context), which a simulated node takes as defaults.
/// </summary>
internal sealed record StepProfile
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public required string Model { get; init; }

    public required int Threads { get; init; }

    public required CostModel Cost { get; init; }

    /// <summary>The server's own time around the steps; none in profiles written before it was measured.</summary>
    public ServerOverhead ServerOverhead { get; init; } = ServerOverhead.None;

    public required int BlockSize { get; init; }

    public required int MaxBatchedTokens { get; init; }

    public required int MaxSequences { get; init; }

    public required int KvBlocks { get; init; }

    public required int MaxModelLength { get; init; }

    /// <summary>Steps the fit used, and its mean absolute error relative to each step's time.</summary>
    public required int Steps { get; init; }

    public required double MeanRelativeError { get; init; }

    /// <summary>A step's time in a serving node: the engine's cost law, and the server's time per step, for each token it streams and each prompt token it admits.</summary>
    public double StepSeconds(int prefillTokens, int decodeSequences, long contextTokens, long prefillAttention, int blockLoads, int admittedPromptTokens) =>
        Cost.Seconds(prefillTokens, decodeSequences, contextTokens, prefillAttention, blockLoads) + ServerOverhead.StepSeconds
        + ServerOverhead.TokenSeconds * decodeSequences + ServerOverhead.PromptTokenSeconds * admittedPromptTokens;

    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    public static StepProfile Load(string path)
    {
        try
        {
            var profile = JsonSerializer.Deserialize<StepProfile>(File.ReadAllText(path), Json)
                ?? throw new FormatException("the file holds null");
            return profile.Validated();
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            throw new ArgumentException($"--profile {path} is not a profile written by strata profile: {ex.Message}", ex);
        }
    }

    private StepProfile Validated()
    {
        if (BlockSize < 1 || MaxBatchedTokens < 1 || MaxSequences < 1 || KvBlocks < 1 || MaxModelLength < 1)
            throw new FormatException("block size, step budget, sequences, KV blocks and context must be positive");
        var c = Cost;
        double[] terms = [c.FixedSeconds, c.PrefillTokenSeconds, c.DecodeSequenceSeconds, c.ContextTokenSeconds, c.BlockLoadSeconds, c.PrefillAttentionSeconds, c.LoneRowSeconds];
        if (terms.Any(t => t < 0 || !double.IsFinite(t)) || terms.Sum() <= 0)
            throw new FormatException("cost terms must be finite, not negative, and not all zero");
        if (ServerOverhead is not { } o || new[] { o.RequestSeconds, o.TokenSeconds, o.StepSeconds, o.PromptTokenSeconds }.Any(t => !(t >= 0) || !double.IsFinite(t)))
            throw new FormatException("server overheads must be finite and not negative");
        return this;
    }
}
