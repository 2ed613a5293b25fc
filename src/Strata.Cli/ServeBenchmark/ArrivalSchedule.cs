namespace Strata.Cli.ServeBenchmark;

/// <summary>
/// When each request is sent, as offsets from the start of the run. Gaps between arrivals are gamma distributed with
/// mean 1/rate and shape = burstiness (1 is a Poisson process; below 1 burstier, above 1 more regular), as in
/// vLLM's <c>bench serve</c>. An infinite rate sends everything at once.
/// </summary>
internal static class ArrivalSchedule
{
    public static TimeSpan[] SendTimes(int count, double requestRate, double burstiness, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(requestRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burstiness);
        var times = new TimeSpan[count];
        if (double.IsPositiveInfinity(requestRate))
            return times;
        var scale = 1 / (requestRate * burstiness);
        var elapsed = 0.0;
        // The first request goes out at once; the gaps come between requests.
        for (var i = 1; i < count; i++)
        {
            elapsed += GammaDistribution.Sample(random, burstiness, scale);
            times[i] = TimeSpan.FromSeconds(elapsed);
        }
        return times;
    }
}
