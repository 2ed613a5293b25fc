using System.Net;
using System.Text.Json;

namespace Strata.Server.Tests;

public sealed class EndpointTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private RunningServer Server => fixture.Server;

    [Fact]
    public async Task Models_Get_ListsTheOneModel()
    {
        var list = JsonDocument.Parse(await Server.Http.GetStringAsync("/v1/models")).RootElement;

        Assert.Equal("list", list.GetProperty("object").GetString());
        var model = Assert.Single(list.GetProperty("data").EnumerateArray());
        Assert.Equal("tinyllamas-stories-260k-f32", model.GetProperty("id").GetString());
        Assert.Equal("model", model.GetProperty("object").GetString());
        Assert.Equal("strata", model.GetProperty("owned_by").GetString());
        Assert.Equal(Server.Engine.MaxModelLength, model.GetProperty("max_model_len").GetInt32());
    }

    [Fact]
    public async Task Health_Get_StatusOk()
    {
        using var response = await Server.Http.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"status":"ok"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Metrics_AfterRequests_CountStatusesLatenciesAndEngineState()
    {
        var before = await Server.MetricAsync("strata_time_to_first_token_seconds_count");
        var okBefore = await Server.MetricAsync("strata_requests_total{status=\"200\"}");
        await Server.GreedyTextAsync("Once upon a time", 8);
        using (await Server.PostRawAsync("/v1/completions", """{"prompt": "Once", "n": 0}""")) { }

        using var response = await Server.Http.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.True(await Server.MetricAsync("strata_requests_total{status=\"200\"}") >= okBefore + 1);
        Assert.True(await Server.MetricAsync("strata_requests_total{status=\"400\"}") >= 1);
        Assert.True(await Server.MetricAsync("strata_time_to_first_token_seconds_count") >= before + 1);
        Assert.True(await Server.MetricAsync("strata_time_per_output_token_seconds_count") >= 1);
        Assert.True(await Server.MetricAsync("strata_e2e_request_latency_seconds_count") >= 1);
        Assert.True(await Server.MetricAsync("strata_prompt_tokens_total") >= 5);
        Assert.True(await Server.MetricAsync("strata_generation_tokens_total") >= 8);
        Assert.Equal(Server.Engine.KvBlockCount, await Server.MetricAsync("strata_kv_blocks_free") + await Server.MetricAsync("strata_kv_blocks_used"));
        Assert.InRange(await Server.MetricAsync("strata_sequences_running_peak"), 1, Server.Engine.Options.MaxSequences);
        Assert.Equal(Server.Engine.Options.MaxSequences, await Server.MetricAsync("strata_sequences_max"));
        Assert.Equal(1, await Server.MetricAsync("strata_kv_integrity_ok"));
        Assert.InRange(await Server.MetricAsync("process_resident_memory_bytes"), 1 << 20, 1L << 40);
        foreach (var family in new[]
        {
            "strata_requests_total counter", "strata_time_to_first_token_seconds histogram", "strata_time_per_output_token_seconds histogram",
            "strata_e2e_request_latency_seconds histogram", "strata_sequences_running gauge", "strata_sequences_waiting gauge",
            "strata_kv_blocks_used gauge", "strata_kv_blocks_free gauge", "strata_preemptions_total counter",
            "strata_prompt_tokens_total counter", "strata_generation_tokens_total counter", "strata_sequences_running_peak gauge",
            "strata_sequences_max gauge", "strata_kv_integrity_ok gauge", "process_resident_memory_bytes gauge",
        })
        {
            Assert.Contains($"# TYPE {family}\n", text);
        }
        Assert.Contains("strata_time_to_first_token_seconds_bucket{le=\"+Inf\"}", text);
    }
}
