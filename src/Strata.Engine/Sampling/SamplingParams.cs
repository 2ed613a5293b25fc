namespace Strata.Engine.Sampling;

/// <summary>How the next token is chosen from the logits, and when generation stops.</summary>
public sealed record SamplingParams
{
    /// <summary>0 (or less) is greedy: always the most likely token.</summary>
    public float Temperature { get; init; } = 1f;

    /// <summary>Keep only the k most likely tokens; 0 disables.</summary>
    public int TopK { get; init; }

    /// <summary>Keep the smallest set of most likely tokens whose probability reaches p; 1 disables.</summary>
    public float TopP { get; init; } = 1f;

    /// <summary>Drop tokens less likely than min_p times the most likely one; 0 disables.</summary>
    public float MinP { get; init; }

    /// <summary>Divides positive (multiplies negative) logits of recently seen tokens; 1 disables.</summary>
    public float RepetitionPenalty { get; init; } = 1f;

    /// <summary>Subtracted from a logit once per occurrence of the token in the recent window.</summary>
    public float FrequencyPenalty { get; init; }

    /// <summary>Subtracted from a logit if the token occurs in the recent window at all.</summary>
    public float PresencePenalty { get; init; }

    /// <summary>How many of the most recent tokens the penalties look at; -1 means the whole context.</summary>
    public int PenaltyWindow { get; init; } = 64;

    /// <summary>Added to the logits of the given token ids before anything else.</summary>
    public IReadOnlyDictionary<int, float> LogitBias { get; init; } = new Dictionary<int, float>();

    /// <summary>Token sequences never to generate (vLLM's <c>bad_words</c>): the last token of each is masked after the rest.</summary>
    public IReadOnlyList<int[]> BannedTokenSequences { get; init; } = [];

    /// <summary>Seed of the random stream; the same seed with the same inputs gives the same output.</summary>
    public ulong? Seed { get; init; }

    public int MaxTokens { get; init; } = 16;

    /// <summary>Generation ends when any of these strings appears; the stop string itself is not emitted.</summary>
    public IReadOnlyList<string> Stop { get; init; } = [];

    /// <summary>Keep generating past end-of-generation tokens.</summary>
    public bool IgnoreEos { get; init; }

    public static SamplingParams Greedy { get; } = new() { Temperature = 0 };

    public bool IsGreedy => Temperature <= 0;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first parameter out of range.</summary>
    public void Validate()
    {
        if (float.IsNaN(Temperature) || Temperature < 0)
            throw new ArgumentException($"temperature must be >= 0, got {Temperature}");
        if (TopK < 0)
            throw new ArgumentException($"top_k must be >= 0, got {TopK}");
        if (!(TopP > 0 && TopP <= 1))
            throw new ArgumentException($"top_p must be in (0, 1], got {TopP}");
        if (!(MinP >= 0 && MinP <= 1))
            throw new ArgumentException($"min_p must be in [0, 1], got {MinP}");
        if (!(RepetitionPenalty > 0))
            throw new ArgumentException($"repetition_penalty must be > 0, got {RepetitionPenalty}");
        if (!float.IsFinite(FrequencyPenalty) || !float.IsFinite(PresencePenalty))
            throw new ArgumentException("penalties must be finite numbers");
        if (MaxTokens < 1)
            throw new ArgumentException($"max_tokens must be >= 1, got {MaxTokens}");
        if (BannedTokenSequences.Any(s => s.Length == 0))
            throw new ArgumentException("banned token sequences must not be empty");
        if (Stop.Any(string.IsNullOrEmpty))
            throw new ArgumentException("stop strings must not be empty");
    }
}
