using Strata.Cli.Commands;
using Strata.Cli.ServeBenchmark;
using Strata.Engine.Control;
using Strata.Engine.Requests;

namespace Strata.Cli.Tests.ServeBenchmark;

/// <summary><c>--tier-mix</c> and <c>--slo</c> parsing, tier assignment, and the per-tier summary.</summary>
public sealed class TierMixTests
{
    [Fact]
    public void Parse_Shares_NormalizedAndAssignedInProportion()
    {
        var mix = TierMix.Parse("priority=2, default=5,flex=3");
        var requests = Enumerable.Repeat(new BenchmarkRequest(null, "hi", 1, 1), 10_000);

        var tiers = mix.Assign(requests, new Random(1)).GroupBy(r => r.Tier!.Value).ToDictionary(g => g.Key, g => g.Count());

        Assert.Equal(0.2, mix.Shares[0].Share, 1e-12);
        Assert.InRange(tiers[ServiceTier.Priority], 1850, 2150);
        Assert.InRange(tiers[ServiceTier.Default], 4850, 5150);
        Assert.InRange(tiers[ServiceTier.Flex], 2850, 3150);
    }

    [Theory]
    [InlineData("gold=1")]
    [InlineData("priority")]
    [InlineData("priority=-1")]
    [InlineData("priority=0")]
    [InlineData("flex=1,flex=2")]
    public void Parse_Malformed_ThrowsNamingTheOption(string text)
    {
        Assert.StartsWith("--tier-mix", Assert.Throws<ArgumentException>(() => TierMix.Parse(text)).Message);
    }

    [Fact]
    public void Create_RequestWithTier_SendsServiceTier()
    {
        var body = System.Text.Json.JsonDocument.Parse(RequestBody.Create(new RequestSettings { Endpoint = ApiEndpoint.Completions, Model = "m" }, new BenchmarkRequest(null, "hi", 1, 1, ServiceTier.Flex))).RootElement;

        Assert.Equal("flex", body.GetProperty("service_tier").GetString());
    }

    [Fact]
    public void ApplySlo_PartsGiven_OverrideOnlyThem()
    {
        var levels = SloOption.Apply(new ServiceLevels(), ["priority:ttft=1.5s,tpot=250ms", "flex:tpot=2s"]);

        Assert.Equal(new SloTarget(TimeSpan.FromSeconds(1.5), TimeSpan.FromMilliseconds(250)), levels.Priority);
        Assert.Equal(new ServiceLevels().Default, levels.Default);
        Assert.Equal(new SloTarget(new ServiceLevels().Flex.TimeToFirstToken, TimeSpan.FromSeconds(2)), levels.Flex);
    }

    [Theory]
    [InlineData("gold:ttft=1s")]
    [InlineData("priority:ttft=fast")]
    [InlineData("priority:e2e=1s")]
    [InlineData("priority")]
    public void ApplySlo_Malformed_ThrowsNamingTheOption(string spec)
    {
        Assert.Contains("--slo", Assert.Throws<ArgumentException>(() => SloOption.Apply(new ServiceLevels(), [spec])).Message);
    }

    [Fact]
    public void From_Records_AttainmentCountsRefusalsAsMisses()
    {
        var levels = new ServiceLevels { Flex = new SloTarget(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(100)) };
        RequestRecord Served(double ttft, int tokens, double e2e) => new()
        {
            Tier = ServiceTier.Flex, OutputTokens = tokens, TimeToFirstToken = TimeSpan.FromSeconds(ttft), EndToEnd = TimeSpan.FromSeconds(e2e),
        };
        var records = new[]
        {
            Served(0.5, 11, 1.5), // met: TPOT 100 ms
            Served(1.5, 11, 2.5), // TTFT missed
            Served(0.5, 11, 2.5), // TPOT missed
            RequestRecord.Failure("HTTP 429") with { Tier = ServiceTier.Flex, Status = 429, EndToEnd = TimeSpan.FromMilliseconds(4) },
        };

        var flex = TierSummary.From(records, TimeSpan.FromSeconds(2), levels).Single();

        Assert.Equal((4, 3, 1, 1), (flex.Sent, flex.Completed, flex.Refused, flex.Met));
        Assert.Equal(0.25, flex.Attainment);
        Assert.Equal(1 / 3.0, flex.ServedAttainment, 1e-12);
        Assert.Equal(0.5, flex.Goodput);
        Assert.Equal(4, flex.RefusalLatency.P99, 1e-9);
    }
}
