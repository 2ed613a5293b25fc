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
    /// Time per request and per prompt token from the median time to first token over the law of short fresh prompts
    /// and of long prompts that hit a cached prefix: excess = per request + prompt tokens × per prompt token. The long
    /// prompt's tokens cost the law little (it computes only the uncached tail), but the server still reads, tokenizes,
    /// keys and looks up all of them.
    /// </summary>
    public static (double RequestSeconds, double PromptTokenSeconds) PerRequestAndPromptToken(
        double freshTokens, double freshExcessSeconds, double hitTokens, double hitExcessSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(hitTokens, freshTokens);
        var perToken = Math.Max(0, (hitExcessSeconds - freshExcessSeconds) / (hitTokens - freshTokens));
        return (Math.Max(0, freshExcessSeconds - perToken * freshTokens), perToken);
    }
}
