namespace Strata.Cli.ServeBenchmark;

/// <summary>What one request measured. A failed request carries only its <see cref="Error"/> and send time.</summary>
internal sealed record RequestRecord
{
    /// <summary>When the request went out, from the start of the run (after any wait for a concurrency slot).</summary>
    public TimeSpan SentAt { get; init; }

    /// <summary>Why the request failed; null when it succeeded.</summary>
    public string? Error { get; init; }

    /// <summary>The HTTP status of a refused request (null when it succeeded or never got an answer).</summary>
    public int? Status { get; init; }

    /// <summary>The service tier the request asked for, if any.</summary>
    public Strata.Engine.Requests.ServiceTier? Tier { get; init; }

    public int PromptTokens { get; init; }

    public int OutputTokens { get; init; }

    /// <summary>Prompt tokens the server served from its prefix cache; null when it does not say.</summary>
    public int? CachedTokens { get; init; }

    /// <summary>Time to the first chunk that carried generated text.</summary>
    public TimeSpan TimeToFirstToken { get; init; }

    /// <summary>Gaps between consecutive chunks that carried generated text.</summary>
    public IReadOnlyList<TimeSpan> InterTokenLatencies { get; init; } = [];

    /// <summary>Time from sending to the end of the stream.</summary>
    public TimeSpan EndToEnd { get; init; }

    public bool Succeeded => Error is null;

    /// <summary>Time per output token after the first; undefined for a single token.</summary>
    public TimeSpan? TimePerOutputToken => OutputTokens > 1 ? (EndToEnd - TimeToFirstToken) / (OutputTokens - 1) : null;

    public static RequestRecord Failure(string error) => new() { Error = error };
}
