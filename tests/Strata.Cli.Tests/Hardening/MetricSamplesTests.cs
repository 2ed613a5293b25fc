using Strata.Cli.Hardening;

namespace Strata.Cli.Tests.Hardening;

public sealed class MetricSamplesTests
{
    private const string Text = """
        # HELP strata_requests_total API requests answered, by HTTP status.
        # TYPE strata_requests_total counter
        strata_requests_total{status="200"} 40
        strata_requests_total{status="499"} 3
        strata_requests_total{status="500"} 2
        strata_requests_total{status="503"} 1
        strata_kv_blocks_used 0
        process_resident_memory_bytes 1.5E+08
        """;

    [Fact]
    public void Parse_PrometheusText_SamplesByName()
    {
        var samples = MetricSamples.Parse(Text);

        Assert.Equal(0, samples["strata_kv_blocks_used"]);
        Assert.Equal(1.5e8, samples["process_resident_memory_bytes"]);
        Assert.Equal(40, samples["strata_requests_total{status=\"200\"}"]);
        Assert.Null(samples["strata_kv_integrity_ok"]);
    }

    [Fact]
    public void ServerErrors_SumOfFiveHundreds_NullWhenNotReported()
    {
        Assert.Equal(3, MetricSamples.Parse(Text).ServerErrors);
        Assert.Equal(43, MetricSamples.Parse(Text).RequestsWhere(status => status < 500));
        Assert.Null(MetricSamples.Parse("strata_kv_blocks_used 0").ServerErrors);
    }
}
