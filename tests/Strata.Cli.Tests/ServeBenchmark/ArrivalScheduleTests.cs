using Strata.Cli.ServeBenchmark;

namespace Strata.Cli.Tests.ServeBenchmark;

public sealed class ArrivalScheduleTests
{
    private const int Arrivals = 40_000;

    [Fact]
    public void SendTimes_InfiniteRate_AllAtOnce()
    {
        var times = ArrivalSchedule.SendTimes(100, double.PositiveInfinity, 1, new Random(1));

        Assert.All(times, t => Assert.Equal(TimeSpan.Zero, t));
    }

    [Theory]
    [InlineData(10, 1)]
    [InlineData(2.5, 0.25)]
    [InlineData(50, 4)]
    public void SendTimes_Rate_MeanGapIsOneOverRate(double rate, double burstiness)
    {
        var gaps = Gaps(ArrivalSchedule.SendTimes(Arrivals, rate, burstiness, new Random(7)));

        Assert.Equal(1 / rate, gaps.Average(), 1 / rate * 0.03);
    }

    // A gamma distribution with shape k has squared coefficient of variation 1/k: Poisson arrivals (k = 1) have
    // gaps as variable as their mean, bursty ones (k < 1) more, regular ones (k > 1) less.
    [Theory]
    [InlineData(1)]
    [InlineData(0.25)]
    [InlineData(0.5)]
    [InlineData(4)]
    public void SendTimes_Burstiness_SquaredCoefficientOfVariationIsOneOverShape(double burstiness)
    {
        var gaps = Gaps(ArrivalSchedule.SendTimes(Arrivals, 10, burstiness, new Random(11)));
        var mean = gaps.Average();
        var variance = gaps.Sum(g => (g - mean) * (g - mean)) / (gaps.Length - 1);

        Assert.Equal(1 / burstiness, variance / (mean * mean), 1 / burstiness * 0.08);
    }

    [Fact]
    public void SendTimes_FirstAtZeroThenIncreasing()
    {
        var times = ArrivalSchedule.SendTimes(1000, 5, 0.5, new Random(3));

        Assert.Equal(TimeSpan.Zero, times[0]);
        Assert.All(times.Zip(times.Skip(1)), pair => Assert.True(pair.Second >= pair.First));
    }

    [Fact]
    public void SendTimes_SameSeed_SameSchedule()
    {
        Assert.Equal(ArrivalSchedule.SendTimes(50, 3, 1, new Random(5)), ArrivalSchedule.SendTimes(50, 3, 1, new Random(5)));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(-1, 1)]
    [InlineData(1, 0)]
    public void SendTimes_NonPositiveRateOrBurstiness_Throws(double rate, double burstiness)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ArrivalSchedule.SendTimes(10, rate, burstiness, new Random(1)));
    }

    private static double[] Gaps(TimeSpan[] times) =>
        times.Zip(times.Skip(1), (a, b) => (b - a).TotalSeconds).ToArray();
}
