using System.Net;
using Strata.Engine.Speculation;

namespace Strata.Server.Tests;

/// <summary>The server's side of speculative decoding: the per-request switch and the metrics.</summary>
public sealed class SpeculationTests
{
    private const string Prompt = "Lily saw a big red ball in the park. She wanted to play with the ball. Lily saw a big red ball";

    [Fact]
    public async Task Completions_SpeculativeFalse_SameTextAndNoDraftsCounted()
    {
        await using var server = await RunningServer.StartAsync(RunningServer.SmallEngine with
        {
            Speculation = new SpeculationOptions { Method = SpeculativeMethod.Ngram, CostAware = false },
        });

        var off = await server.PostOkAsync("/v1/completions", new { prompt = Prompt, max_tokens = 60, temperature = 0, speculative = false });
        var offMetrics = await server.Http.GetStringAsync("/metrics");
        var on = await server.PostOkAsync("/v1/completions", new { prompt = Prompt, max_tokens = 60, temperature = 0 });
        var onMetrics = await server.Http.GetStringAsync("/metrics");

        Assert.Equal(off.GetProperty("choices")[0].GetProperty("text").GetString(), on.GetProperty("choices")[0].GetProperty("text").GetString());
        Assert.Contains("strata_spec_draft_tokens_total{method=\"ngram\"} 0", offMetrics);
        Assert.DoesNotContain("strata_spec_draft_tokens_total{method=\"ngram\"} 0\n", onMetrics);
        Assert.Contains("strata_spec_accepted_drafts_per_verification_bucket{method=\"ngram\",le=\"+Inf\"}", onMetrics);
    }

    [Fact]
    public async Task Completions_SpeculativeNotABoolean_BadRequest()
    {
        await using var server = await RunningServer.StartAsync();

        using var response = await server.PostRawAsync("/v1/completions", $$"""{"prompt": "Hi", "speculative": "yes"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("speculative", await response.Content.ReadAsStringAsync());
    }
}
