using System.Collections;

namespace Strata.Cli.ServeBenchmark;

/// <summary>
/// A simulated request's inter-token gaps, kept as the simulator's single-float milliseconds and read as time spans
/// when asked: converting a simulated hour's ~90 million gaps up front took ~730 MB of time spans beside the floats.
/// </summary>
internal sealed class MillisecondGaps(float[] milliseconds) : IReadOnlyList<TimeSpan>
{
    public TimeSpan this[int index] => TimeSpan.FromMilliseconds(milliseconds[index]);

    public int Count => milliseconds.Length;

    public IEnumerator<TimeSpan> GetEnumerator()
    {
        foreach (var gap in milliseconds)
            yield return TimeSpan.FromMilliseconds(gap);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
