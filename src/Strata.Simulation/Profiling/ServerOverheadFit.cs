namespace Strata.Simulation.Profiling;

/// <summary>
/// Splits what a real server measured over the cost law into the terms of <see cref="ServerOverhead"/>. No term may
/// come out negative: a law that overshoots leaves nothing for the server to add, never less than nothing.
/// </summary>
internal static class ServerOverheadFit
{
    /// <summary>
    /// Time per step and per streamed token from a request's median time per output token over the law at several
    /// numbers of streams decoding at once: excess = per step + streams × per token, by least squares.
    /// </summary>
    public static (double StepSeconds, double TokenSeconds) PerStepAndToken(IReadOnlyList<(int Streams, double ExcessSeconds)> points)
    {
        if (points.Select(p => p.Streams).Distinct().Count() < 2)
            throw new ArgumentException("the time per streamed token needs excesses at two numbers of streams at least", nameof(points));
        var meanStreams = points.Average(p => (double)p.Streams);
        var meanExcess = points.Average(p => p.ExcessSeconds);
        var slope = points.Sum(p => (p.Streams - meanStreams) * (p.ExcessSeconds - meanExcess)) / points.Sum(p => (p.Streams - meanStreams) * (p.Streams - meanStreams));
        if (slope <= 0)
            return (Math.Max(0, meanExcess), 0);
        var intercept = meanExcess - slope * meanStreams;
        if (intercept >= 0)
            return (intercept, slope);
        // The line crosses below zero at one stream: all of it per token, a line through the origin.
        var throughOrigin = points.Sum(p => p.Streams * p.ExcessSeconds) / points.Sum(p => (double)p.Streams * p.Streams);
        return (0, Math.Max(0, throughOrigin));
    }

    /// <summary>
    /// Time per prompt token from the median time to first token over the law of prompts that hit a cached prefix of
    /// two lengths, each computing a short question of its own: excess = … + prompt tokens × per prompt token. The law
    /// charges a hit's cached tokens only their attention, but the server still reads, tokenizes, keys and looks up every
    /// one of them; the two questions cost the law alike, so its error on them cancels.
    /// </summary>
    public static double PerPromptToken((double Tokens, double ExcessSeconds) shortHit, (double Tokens, double ExcessSeconds) longHit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(longHit.Tokens, shortHit.Tokens, nameof(longHit));
        return Math.Max(0, (longHit.ExcessSeconds - shortHit.ExcessSeconds) / (longHit.Tokens - shortHit.Tokens));
    }

    /// <summary>Time per request from the median time to first token over the law of lone prompts, less their tokens' time.</summary>
    public static double PerRequest((double Tokens, double ExcessSeconds) prompts, double promptTokenSeconds) =>
        Math.Max(0, prompts.ExcessSeconds - promptTokenSeconds * prompts.Tokens);
}
