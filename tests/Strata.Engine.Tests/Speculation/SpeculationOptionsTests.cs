using Strata.Engine.Speculation;

namespace Strata.Engine.Tests.Speculation;

public sealed class SpeculationOptionsTests
{
    [Theory]
    [InlineData(SpeculativeMethod.Ngram, 5)]
    [InlineData(SpeculativeMethod.Draft, 5)]
    [InlineData(SpeculativeMethod.Suffix, 15)]
    public void NumSpeculativeTokens_NotGiven_FollowsTheMethod(SpeculativeMethod method, int expected)
    {
        Assert.Equal(expected, new SpeculationOptions { Method = method }.NumSpeculativeTokens);
        Assert.Equal(3, new SpeculationOptions { Method = method, NumSpeculativeTokens = 3 }.NumSpeculativeTokens);
        Assert.Equal(expected, (new SpeculationOptions { Method = SpeculativeMethod.Ngram } with { Method = method }).NumSpeculativeTokens);
    }
}
