namespace Strata.Cli.Commands.Bench;

/// <summary>
/// Timed decode segments and the bandwidth probes taken between them: probe 0, segment 0, probe 1, segment 1, …,
/// probe n. The host's bandwidth drifts within seconds, so each segment is set against the probes adjacent to it in
/// time, the higher of the two (the roof never drops below what the machine showed beside that segment), and the
/// fraction is the bytes all segments read over what their roofs would have read in the same time.
/// </summary>
internal sealed class BracketedDecode
{
    private readonly long _bytesPerToken;

    /// <param name="segments">The timed segments in time order.</param>
    /// <param name="probesGbS">GB/s of each probe, one more than the segments.</param>
    /// <param name="bytesPerToken">Bytes one decode step reads.</param>
    public BracketedDecode(IReadOnlyList<DecodeSegment> segments, IReadOnlyList<double> probesGbS, long bytesPerToken)
    {
        if (segments.Count == 0 || probesGbS.Count != segments.Count + 1)
            throw new ArgumentException($"{segments.Count} segments need {segments.Count + 1} probes around them, not {probesGbS.Count}");
        Segments = segments;
        ProbesGbS = probesGbS;
        _bytesPerToken = bytesPerToken;
    }

    public IReadOnlyList<DecodeSegment> Segments { get; }

    public IReadOnlyList<double> ProbesGbS { get; }

    /// <summary>The mean over runs of each run's tok/s (as llama-bench averages its repetitions).</summary>
    public double MeanTokS => Segments.GroupBy(s => s.Run).Average(run => run.Sum(s => s.Tokens) / run.Sum(s => s.Seconds));

    /// <summary>The segments' roofs (each the higher probe beside it), weighted by their time.</summary>
    public double RoofGbS => RoofGigabytes / Segments.Sum(s => s.Seconds);

    /// <summary>The bytes all segments read over the bytes their roofs allow in their time.</summary>
    public double RooflineFraction => (double)Segments.Sum(s => (long)s.Tokens) * _bytesPerToken / (RoofGigabytes * 1e9);

    /// <summary>The gigabytes the segments' roofs allow in the segments' time.</summary>
    private double RoofGigabytes => Enumerable.Range(0, Segments.Count).Sum(i => Roof(i) * Segments[i].Seconds);

    private double Roof(int segment) => Math.Max(ProbesGbS[segment], ProbesGbS[segment + 1]);
}
