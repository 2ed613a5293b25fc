using Strata.Simulation.Profiling;

namespace Strata.Simulation.Tests;

public sealed class ServerOverheadFitTests
{
    [Fact]
    public void PerStepAndToken_RecoversBothFromExcessesAtSeveralStreams()
    {
        // 5 ms per step and 2 ms per streamed token, measured at 1, 2 and 4 streams with ±0.2 ms of noise.
        var (step, token) = ServerOverheadFit.PerStepAndToken([(1, 0.0071), (2, 0.0087), (4, 0.0131)]);

        Assert.Equal(0.005, step, 2e-4);
        Assert.Equal(0.002, token, 1e-4);
    }

    [Fact]
    public void PerStepAndToken_NeverNegative()
    {
        // Fewer streams cost more: nothing per token, the mean per step.
        var (step, token) = ServerOverheadFit.PerStepAndToken([(1, 0.008), (2, 0.006), (4, 0.004)]);
        Assert.Equal(0.006, step, 12);
        Assert.Equal(0, token);
        // The line falls below zero at one stream: all per token, through the origin.
        (step, token) = ServerOverheadFit.PerStepAndToken([(1, 0.000), (2, 0.004), (4, 0.012)]);
        Assert.Equal(0, step);
        Assert.Equal((0.004 * 2 + 0.012 * 4) / 21.0, token, 12);
        Assert.Throws<ArgumentException>(() => ServerOverheadFit.PerStepAndToken([(1, 0.001), (1, 0.002)]));
    }

    [Fact]
    public void PerPromptTokenAndRequest_RecoverBothFromCachedPrefixesOfTwoLengthsAndFreshPrompts()
    {
        // 30 ms per request and 50 us per prompt token: hits of 288 and 800 tokens 44.4 and 70 ms over the law, a fresh 128-token prompt 36.4 ms.
        var promptToken = ServerOverheadFit.PerPromptToken((288, 0.0444), (800, 0.070));

        Assert.Equal(50e-6, promptToken, 12);
        Assert.Equal(0.030, ServerOverheadFit.PerRequest((128, 0.0364), promptToken), 9);
        // A longer hit no slower than a shorter one costs nothing per token; a request never less than nothing.
        Assert.Equal(0, ServerOverheadFit.PerPromptToken((288, 0.050), (800, 0.040)));
        Assert.Equal(0, ServerOverheadFit.PerRequest((128, 0.001), 50e-6));
        Assert.Throws<ArgumentOutOfRangeException>(() => ServerOverheadFit.PerPromptToken((800, 0.070), (288, 0.0444)));
    }
}
