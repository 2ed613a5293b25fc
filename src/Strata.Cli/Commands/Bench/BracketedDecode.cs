namespace Strata.Cli.Commands.Bench;

/// <summary>
/// Timed decode runs and the bandwidth probes taken around them: probe 0, run 0, probe 1, run 1, …, probe n. The
/// host's bandwidth drifts within minutes, so each run is set against the probes adjacent to it in time, the higher
/// of the two (the roof never drops below what the machine showed beside that run).
/// </summary>
internal sealed class BracketedDecode
{
    private readonly long _bytesPerToken;

    /// <param name="tokS">tok/s of each run.</param>
    /// <param name="probesGbS">GB/s of each probe, one more than the runs.</param>
    /// <param name="bytesPerToken">Bytes one decode step reads.</param>
    public BracketedDecode(IReadOnlyList<double> tokS, IReadOnlyList<double> probesGbS, long bytesPerToken)
    {
        if (tokS.Count == 0 || probesGbS.Count != tokS.Count + 1)
            throw new ArgumentException($"{tokS.Count} runs need {tokS.Count + 1} probes around them, not {probesGbS.Count}");
        TokS = tokS;
        ProbesGbS = probesGbS;
        _bytesPerToken = bytesPerToken;
    }

    public IReadOnlyList<double> TokS { get; }

    public IReadOnlyList<double> ProbesGbS { get; }

    public double MeanTokS => TokS.Average();

    /// <summary>The mean over runs of each run's roof: the higher probe beside it.</summary>
    public double RoofGbS => Enumerable.Range(0, TokS.Count).Average(Roof);

    /// <summary>The mean over runs of each run's bytes per second over its roof.</summary>
    public double RooflineFraction => Enumerable.Range(0, TokS.Count).Average(r => TokS[r] * _bytesPerToken / (Roof(r) * 1e9));

    private double Roof(int run) => Math.Max(ProbesGbS[run], ProbesGbS[run + 1]);
}
