using Strata.Engine.Generation;

namespace Strata.Engine.Tests.Generation;

public sealed class StopStringMatcherTests
{
    [Fact]
    public void Push_StopSpanningPieces_HoldsBackUntilDecidedAndExcludesStop()
    {
        var matcher = new StopStringMatcher(["\nUser:"]);

        Assert.Equal("Hello", matcher.Push("Hello\n"));
        Assert.Equal("", matcher.Push("Us"));
        Assert.Equal("", matcher.Push("er: more"));
        Assert.True(matcher.Stopped);
        Assert.Equal("", matcher.Flush());
    }

    [Fact]
    public void Push_PrefixThatDoesNotComplete_ReleasesHeldText()
    {
        var matcher = new StopStringMatcher(["STOP"]);

        Assert.Equal("a", matcher.Push("aST"));
        Assert.Equal("STx", matcher.Push("x"));
        Assert.False(matcher.Stopped);
        Assert.Equal("", matcher.Flush());
    }

    [Fact]
    public void Flush_HeldPrefixAtEnd_IsEmitted()
    {
        var matcher = new StopStringMatcher(["STOP"]);

        Assert.Equal("", matcher.Push("STO"));
        Assert.Equal("STO", matcher.Flush());
    }

    [Fact]
    public void Push_SeveralStops_CutsAtEarliest()
    {
        var matcher = new StopStringMatcher(["world", "lo"]);

        Assert.Equal("Hel", matcher.Push("Hello world"));
        Assert.True(matcher.Stopped);
    }
}
