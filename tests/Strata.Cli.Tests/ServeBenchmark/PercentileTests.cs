using Strata.Cli.ServeBenchmark;

namespace Strata.Cli.Tests.ServeBenchmark;

public sealed class PercentileTests
{
    // Expected values from numpy.percentile (linear interpolation, the default).
    [Theory]
    [InlineData(new[] { 1.0, 2, 3, 4 }, 50, 2.5)]
    [InlineData(new[] { 1.0, 2, 3, 4 }, 90, 3.7)]
    [InlineData(new[] { 1.0, 2, 3, 4 }, 99, 3.97)]
    [InlineData(new[] { 1.0, 2, 3, 4 }, 0, 1)]
    [InlineData(new[] { 1.0, 2, 3, 4 }, 100, 4)]
    [InlineData(new[] { 10.0, 20 }, 25, 12.5)]
    [InlineData(new[] { 7.0 }, 99, 7)]
    [InlineData(new[] { 1.0, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024 }, 90, 512)]
    [InlineData(new[] { 1.0, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024 }, 99, 972.8)]
    public void Of_Samples_MatchesNumpyLinear(double[] ascending, double percent, double expected)
    {
        Assert.Equal(expected, Percentile.Of(ascending.Reverse().ToArray(), percent), 9);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Of_UnsortedSamplesWithRepeats_SameAsOfTheSorted(int seed)
    {
        // Latencies repeat exactly in a simulation (equal step costs), which partitioning must survive.
        var random = new Random(seed);
        foreach (var length in new[] { 1, 2, 3, 10, 101, 1000, 4097 })
        {
            var samples = Enumerable.Range(0, length).Select(_ => (double)random.Next(0, 1 + length / 4)).ToArray();
            var sorted = samples.Order().ToArray();
            foreach (var percent in new[] { 0, 1, 25, 50, 90, 99, 99.9, 100 })
                Assert.Equal(Linear(sorted, percent), Percentile.Of(samples.ToArray(), percent));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Of_SeveralPercentsAtOnce_EachSameAsOfTheSorted(int seed)
    {
        // Each percentile is selected within the part the one before it left above itself: ranks that share or neighbour
        // the previous one (0 and 0, 50 and 50.1) and the ends must come out as alone.
        var random = new Random(seed);
        double[] percents = [0, 0, 1, 25, 50, 50.1, 90, 99, 99.9, 100, 100];
        foreach (var length in new[] { 1, 2, 3, 10, 101, 1000, 4097 })
        {
            var samples = Enumerable.Range(0, length).Select(_ => (double)random.Next(0, 1 + length / 4)).ToArray();
            var sorted = samples.Order().ToArray();

            var values = Percentile.Of(samples, percents);

            Assert.Equal(percents.Select(p => Linear(sorted, p)), values);
        }
    }

    [Fact]
    public void Of_PercentsOutOfOrder_Throws()
    {
        Assert.Throws<ArgumentException>(() => Percentile.Of([1.0, 2, 3], 90, 50));
    }

    private static double Linear(double[] sorted, double percent)
    {
        var rank = percent / 100 * (sorted.Length - 1);
        var below = (int)Math.Floor(rank);
        return sorted[below] + (rank - below) * (sorted[Math.Min(below + 1, sorted.Length - 1)] - sorted[below]);
    }

    [Fact]
    public void Of_NoSamples_Throws()
    {
        Assert.Throws<ArgumentException>(() => Percentile.Of([], 50));
    }

    [Fact]
    public void LatencyStats_UnsortedMilliseconds_SortsAndSummarizes()
    {
        var stats = LatencyStats.Of(new[] { 4.0, 1, 3, 2 }.Select(TimeSpan.FromMilliseconds));

        Assert.Equal(2.5, stats.Mean, 9);
        Assert.Equal(2.5, stats.P50, 9);
        Assert.Equal(3.7, stats.P90, 9);
        Assert.Equal(3.97, stats.P99, 9);
    }

    [Fact]
    public void LatencyStats_NoSamples_AllZero()
    {
        Assert.Equal(new LatencyStats(0, 0, 0, 0), LatencyStats.Of([]));
    }
}
