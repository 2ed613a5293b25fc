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
    public void PerRequestAndPromptToken_RecoversBothFromFreshAndCachedPrompts()
    {
        // 30 ms per request and 50 us per prompt token: a 128-token prompt 36.4 ms over the law, an 800-token hit 70 ms.
        var (request, promptToken) = ServerOverheadFit.PerRequestAndPromptToken(128, 0.0364, 800, 0.070);

        Assert.Equal(0.030, request, 9);
        Assert.Equal(50e-6, promptToken, 12);
        // A hit no slower than a fresh prompt costs nothing per token.
        (request, promptToken) = ServerOverheadFit.PerRequestAndPromptToken(128, 0.040, 800, 0.030);
        Assert.Equal(0.040, request, 12);
        Assert.Equal(0, promptToken);
    }
}
