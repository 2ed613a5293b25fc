using Strata.Cli.Commands.Bench;

namespace Strata.Cli.Tests.Bench;

public sealed class BracketedDecodeTests
{
    [Fact]
    public void RooflineFraction_EachRunAgainstTheHigherProbeBesideIt()
    {
        // 1e9 bytes a token: run 0 reads 10 GB/s between probes of 20 and 40 (roof 40), run 1 reads 30 GB/s between
        // 40 and 30 (roof 40). A single probe at the start (20 GB/s) would have put run 1 at 150 %.
        var decode = new BracketedDecode([10, 30], [20, 40, 30], 1_000_000_000);

        Assert.Equal(20, decode.MeanTokS, 9);
        Assert.Equal(40, decode.RoofGbS, 9);
        Assert.Equal((10.0 / 40 + 30.0 / 40) / 2, decode.RooflineFraction, 9);
    }

    [Fact]
    public void RooflineFraction_OneRun_UsesBothProbes()
    {
        var decode = new BracketedDecode([25], [50, 45], 1_000_000_000);

        Assert.Equal(0.5, decode.RooflineFraction, 9);
        Assert.Equal(50, decode.RoofGbS, 9);
    }

    [Fact]
    public void Constructor_ProbesNotAroundEveryRun_Throws()
    {
        Assert.Throws<ArgumentException>(() => new BracketedDecode([10, 30], [20, 40], 1));
        Assert.Throws<ArgumentException>(() => new BracketedDecode([], [20], 1));
    }
}
