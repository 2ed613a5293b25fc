namespace Strata.Cli.ServeBenchmark;

/// <summary>
/// Lengths drawn uniformly from [L·(1 − r), L·(1 + r)] around a target L with range ratio r, as vLLM's random dataset
/// does; r = 0 gives exactly L.
/// </summary>
internal sealed record LengthRange
{
    public LengthRange(int target, double rangeRatio)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(target);
        if (rangeRatio is < 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(rangeRatio), rangeRatio, "the range ratio must be in [0, 1)");
        Min = Math.Max(1, (int)Math.Floor(target * (1 - rangeRatio)));
        Max = (int)Math.Ceiling(target * (1 + rangeRatio));
    }

    public int Min { get; }

    public int Max { get; }

    public int Next(Random random) => random.Next(Min, Max + 1);
}
