namespace Strata.Server.Metrics;

/// <summary>A Prometheus histogram with fixed upper bounds; observed once per request, so a lock is cheap enough.</summary>
internal sealed class Histogram(string name, string help, double[] upperBounds)
{
    private readonly long[] _counts = new long[upperBounds.Length];
    private readonly Lock _lock = new();
    private long _count;
    private double _sum;

    public void Observe(double value)
    {
        lock (_lock)
        {
            var bucket = Array.FindIndex(upperBounds, bound => value <= bound);
            if (bucket >= 0)
                _counts[bucket]++;
            _count++;
            _sum += value;
        }
    }

    public void WriteTo(PrometheusText text)
    {
        text.Family(name, "histogram", help);
        WriteSamples(text, null);
    }

    /// <summary>Writes the samples alone, with one more label on each: one histogram of a family labelled by, say, tier.</summary>
    public void WriteSamples(PrometheusText text, (string Name, string Value)? label)
    {
        (string, string)[] extra = label is { } l ? [l] : [];
        lock (_lock)
        {
            long cumulative = 0;
            for (var i = 0; i < upperBounds.Length; i++)
            {
                cumulative += _counts[i];
                text.Sample(name + "_bucket", cumulative, extra.Append(("le", PrometheusText.Format(upperBounds[i]))));
            }
            text.Sample(name + "_bucket", _count, extra.Append(("le", "+Inf")));
            if (label is null)
            {
                text.Sample(name + "_sum", _sum);
                text.Sample(name + "_count", _count);
            }
            else
            {
                text.Sample(name + "_sum", _sum, extra);
                text.Sample(name + "_count", _count, extra);
            }
        }
    }

    public string Name => name;

    public string Help => help;
}
