using Strata.Cli.ServeBenchmark;

namespace Strata.Cli.Tests.ServeBenchmark;

public sealed class SampleSortTests
{
    private const int Many = 200_000;

    /// <summary>Samples over many magnitudes (every radix pass moves keys), many of them repeated, some zero.</summary>
    private static double[] Samples(int seed, int count)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => random.Next(10) switch
        {
            0 => 0.0,
            1 => Math.Round(random.NextDouble() * 50, 1),
            _ => random.NextDouble() * Math.Pow(10, random.Next(-6, 9)),
        })];
    }

    private static void AssertSortsAsArraySort(double[] samples)
    {
        var expected = (double[])samples.Clone();
        Array.Sort(expected);

        SampleSort.Sort(samples);

        Assert.Equal(expected.Select(BitConverter.DoubleToInt64Bits), samples.Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void ManyNonNegative_SameAsArraySort()
    {
        AssertSortsAsArraySort(Samples(1, Many));
    }

    [Fact]
    public void ManyWithPositiveInfinityAndOneDigitConstant_SameAsArraySort()
    {
        // Integers below 2^20 as doubles: their low mantissa bits are all zero, so the first passes are skipped.
        var random = new Random(2);
        var samples = Enumerable.Range(0, Many).Select(_ => (double)random.Next(1 << 20)).Append(double.PositiveInfinity).ToArray();

        AssertSortsAsArraySort(samples);
    }

    [Theory]
    [InlineData(-1.5)]
    [InlineData(-0.0)]
    [InlineData(double.NaN)]
    [InlineData(double.NegativeInfinity)]
    public void ManyWithOneNegativeOrNaN_SameAsArraySort(double odd)
    {
        var samples = Samples(3, Many);
        samples[Many / 2] = odd;

        AssertSortsAsArraySort(samples);
    }

    [Fact]
    public void Few_SameAsArraySort()
    {
        AssertSortsAsArraySort(Samples(4, 1000));
    }
}
