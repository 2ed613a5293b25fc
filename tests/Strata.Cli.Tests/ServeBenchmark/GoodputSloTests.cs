using Strata.Cli.ServeBenchmark;

namespace Strata.Cli.Tests.ServeBenchmark;

public sealed class GoodputSloTests
{
    [Fact]
    public void Parse_AllMetrics_AnyOrder()
    {
        Assert.Equal(new GoodputSlo(500, 50, 5000), GoodputSlo.Parse("e2e:5000, ttft:500,tpot:50"));
    }

    [Fact]
    public void Parse_OneMetric_OthersUnset()
    {
        Assert.Equal(new GoodputSlo(null, 12.5, null), GoodputSlo.Parse("tpot:12.5"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("ttft")]
    [InlineData("ttft:fast")]
    [InlineData("ttft:-1")]
    [InlineData("itl:5")]
    public void Parse_Malformed_Throws(string text)
    {
        Assert.Throws<ArgumentException>(() => GoodputSlo.Parse(text));
    }

    [Theory]
    [InlineData(400, 40, 4000, true)]
    [InlineData(600, 40, 4000, false)]
    [InlineData(400, 60, 4000, false)]
    [InlineData(400, 40, 6000, false)]
    public void IsMetBy_EveryObjectiveMustHold(double ttft, double tpot, double e2e, bool met)
    {
        var slo = new GoodputSlo(500, 50, 5000);

        Assert.Equal(met, slo.IsMetBy(Record(ttft, tpot, e2e)));
    }

    [Fact]
    public void IsMetBy_FailedRequest_NeverMeets()
    {
        Assert.False(new GoodputSlo(1e9, null, null).IsMetBy(RequestRecord.Failure("HTTP 500: boom")));
    }

    [Fact]
    public void IsMetBy_SingleToken_HasNoTpotToMiss()
    {
        var record = new RequestRecord { OutputTokens = 1, TimeToFirstToken = TimeSpan.FromMilliseconds(10), EndToEnd = TimeSpan.FromMilliseconds(10) };

        Assert.True(new GoodputSlo(null, 1, null).IsMetBy(record));
    }

    private static RequestRecord Record(double ttftMs, double tpotMs, double e2eMs)
    {
        // TPOT is derived: (E2E − TTFT) / (tokens − 1); pick the token count that gives the wanted TPOT.
        var tokens = (int)Math.Round((e2eMs - ttftMs) / tpotMs) + 1;
        return new RequestRecord
        {
            OutputTokens = tokens,
            TimeToFirstToken = TimeSpan.FromMilliseconds(ttftMs),
            EndToEnd = TimeSpan.FromMilliseconds(e2eMs),
        };
    }
}
