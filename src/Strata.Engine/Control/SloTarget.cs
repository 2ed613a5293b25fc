namespace Strata.Engine.Control;

/// <summary>A tier's latency promise: time to the first token, and mean time per output token after it.</summary>
public sealed record SloTarget(TimeSpan TimeToFirstToken, TimeSpan TimePerOutputToken)
{
    /// <summary>Whether a request with these latencies met the target.</summary>
    public bool IsMet(double ttftSeconds, double tpotSeconds) =>
        ttftSeconds <= TimeToFirstToken.TotalSeconds && tpotSeconds <= TimePerOutputToken.TotalSeconds;

    public override string ToString() => $"ttft={Format(TimeToFirstToken)},tpot={Format(TimePerOutputToken)}";

    private static string Format(TimeSpan span) => span.TotalSeconds >= 1 && span.TotalSeconds == Math.Floor(span.TotalSeconds)
        ? $"{span.TotalSeconds:0}s"
        : $"{span.TotalMilliseconds:0}ms";
}
