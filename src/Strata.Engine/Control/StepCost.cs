namespace Strata.Engine.Control;

/// <summary>
/// Seconds one engine step takes, as a linear law of its work: a fixed part, then per prefill token, per decoding
/// sequence and per KV position attention reads.
/// </summary>
public sealed record StepCost(double Fixed, double PerPrefillToken, double PerDecode, double PerContextToken)
{
    public double Seconds(double prefillTokens, double decodes, double contextTokens) =>
        Math.Max(0, Fixed + PerPrefillToken * prefillTokens + PerDecode * decodes + PerContextToken * contextTokens);

    public override string ToString() =>
        $"{Fixed * 1e3:0.###} ms + {PerPrefillToken * 1e3:0.####} ms/prefill token + {PerDecode * 1e3:0.####} ms/decode + {PerContextToken * 1e6:0.####} µs/context token";
}
