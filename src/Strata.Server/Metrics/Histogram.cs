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
        lock (_lock)
        {
            long cumulative = 0;
            for (var i = 0; i < upperBounds.Length; i++)
            {
                cumulative += _counts[i];
                text.Sample(name + "_bucket", cumulative, "le", PrometheusText.Format(upperBounds[i]));
            }
            text.Sample(name + "_bucket", _count, "le", "+Inf");
            text.Sample(name + "_sum", _sum);
            text.Sample(name + "_count", _count);
        }
    }
}
