using Strata.Cli.Commands.Bench;

namespace Strata.Cli.Tests.Bench;

public sealed class BracketedDecodeTests
{
    private const long Gigabyte = 1_000_000_000;

    [Fact]
    public void RooflineFraction_EachSegmentAgainstTheHigherProbeBesideIt()
    {
        // 1 GB a token: segment 0 reads 10 GB/s for 1 s between probes of 20 and 40 (roof 40), segment 1 30 GB/s for
        // 1 s between 40 and 30 (roof 40). A single probe at the start (20 GB/s) would have put segment 1 at 150 %.
        var decode = new BracketedDecode([new(0, 10, 1), new(0, 30, 1)], [20, 40, 30], Gigabyte);

        Assert.Equal(40.0 / 80, decode.RooflineFraction, 9);
        Assert.Equal(40, decode.RoofGbS, 9);
    }

    [Fact]
    public void RooflineFraction_WeighsSegmentsByTheirTime()
    {
        // 3 s at roof 50 and 1 s at roof 10 allow 160 GB; the segments read 40 + 8.
        var decode = new BracketedDecode([new(0, 40, 3), new(1, 8, 1)], [50, 10, 10], Gigabyte);

        Assert.Equal(48.0 / 160, decode.RooflineFraction, 9);
        Assert.Equal(40, decode.RoofGbS, 9);
    }

    [Fact]
    public void MeanTokS_AveragesTheRuns()
    {
        // Run 0: 30 tokens in 3 s (10 tok/s); run 1: 20 tokens in 1 s (20 tok/s).
        var decode = new BracketedDecode([new(0, 10, 1), new(0, 20, 2), new(1, 20, 1)], [1, 1, 1, 1], 1);

        Assert.Equal(15, decode.MeanTokS, 9);
    }

    [Fact]
    public void Constructor_ProbesNotAroundEverySegment_Throws()
    {
        Assert.Throws<ArgumentException>(() => new BracketedDecode([new(0, 1, 1), new(0, 1, 1)], [20, 40], 1));
        Assert.Throws<ArgumentException>(() => new BracketedDecode([], [20], 1));
    }
}
