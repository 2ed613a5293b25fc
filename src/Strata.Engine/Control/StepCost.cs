namespace Strata.Engine.Control;

/// <summary>
/// Seconds one engine step takes, as a linear law of its work: a fixed part, then per prefill token, per decoding
/// sequence, per KV position attention reads and per drafted token a decode verifies. A verification row is not a prompt
/// token: it gets logits and is sampled, and in a small step it is one more row of every matrix product where a prompt
/// token shares a large one (on TinyStories a verification row costs about half a one-row step).
/// </summary>
public sealed record StepCost(double Fixed, double PerPrefillToken, double PerDecode, double PerContextToken, double PerDraftToken)
{
    /// <summary>A law with no evidence about drafts: one is priced as a prompt token (the start-up calibration measures no verification).</summary>
    public StepCost(double Fixed, double PerPrefillToken, double PerDecode, double PerContextToken)
        : this(Fixed, PerPrefillToken, PerDecode, PerContextToken, PerPrefillToken)
    {
    }

    /// <summary>A step without drafts (what admission control and the service-time predictor plan for).</summary>
    public double Seconds(double prefillTokens, double decodes, double contextTokens) => Seconds(prefillTokens, decodes, contextTokens, 0);

    public double Seconds(double prefillTokens, double decodes, double contextTokens, double draftTokens) =>
        Math.Max(0, Fixed + PerPrefillToken * prefillTokens + PerDecode * decodes + PerContextToken * contextTokens + PerDraftToken * draftTokens);

    public override string ToString() =>
        $"{Fixed * 1e3:0.###} ms + {PerPrefillToken * 1e3:0.####} ms/prefill token + {PerDecode * 1e3:0.####} ms/decode + {PerContextToken * 1e6:0.####} µs/context token + {PerDraftToken * 1e3:0.####} ms/draft token";
}
