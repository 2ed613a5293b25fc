using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace Strata.Cli.Tests.Cluster;

/// <summary>A prefill node and a decode node behind a router: the KV hand-off, its leases, and what one node gives.</summary>
public sealed class DisaggregationTests(DisaggregationTests.OnePrefillOneDecode cluster) : IClassFixture<DisaggregationTests.OnePrefillOneDecode>
{
    private const string Story = "Once upon a time there was a little girl named Lily. She loved to play outside in the park with her friends. " +
        "One day she saw a big red ball under a tree and ran to get it.";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Completions_ThroughPrefillAndDecodeNodes_EqualOneNodesGreedyOutput(bool stream)
    {
        var pd = cluster.Value;
        var request = new { prompt = $"{(stream ? "Tom" : "Sue")} said: {Story}", max_tokens = 24, temperature = 0, stream };
        var handedOff = await pd.Decode.MetricAsync("strata_kv_peer_received_blocks_total");
        var computedOnDecode = await pd.Decode.MetricAsync("strata_prompt_tokens_total");

        var routed = await RouterTests.TextAsync(pd.Router.Http, "/v1/completions", request, stream);
        var direct = await RouterTests.TextAsync(pd.Single.Http, "/v1/completions", request, stream);

        Assert.NotEmpty(direct);
        Assert.Equal(direct, routed);
        // The prompt (over 50 tokens) came as its full blocks; the decode node computed only the partial last block.
        Assert.True(await pd.Decode.MetricAsync("strata_kv_peer_received_blocks_total") - handedOff >= 3);
        var computed = await pd.Decode.MetricAsync("strata_prompt_tokens_total") - computedOnDecode;
        Assert.True(computed <= 16, $"the decode node computed {computed} prompt tokens");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Chat_ThroughPrefillAndDecodeNodes_EqualsOneNodesGreedyOutput(bool stream)
    {
        var pd = cluster.Value;
        var request = new { messages = new[] { new { role = "user", content = $"{Story} What did {(stream ? "she" : "Lily")} find?" } }, max_tokens = 16, temperature = 0, stream };
        var disaggregated = await pd.Router.MetricAsync("strata_router_disaggregated_total");
        var tokenized = await pd.Prefill.MetricAsync("strata_prompts_tokenized_total") + await pd.Decode.MetricAsync("strata_prompts_tokenized_total");

        var routed = await RouterTests.TextAsync(pd.Router.Http, "/v1/chat/completions", request, stream);
        var direct = await RouterTests.TextAsync(pd.Single.Http, "/v1/chat/completions", request, stream);

        Assert.NotEmpty(direct);
        Assert.Equal(direct, routed);
        Assert.Equal(disaggregated + 1, await pd.Router.MetricAsync("strata_router_disaggregated_total"));
        // Both legs got the router's token ids: neither node tokenized the conversation.
        Assert.Equal(tokenized, await pd.Prefill.MetricAsync("strata_prompts_tokenized_total") + await pd.Decode.MetricAsync("strata_prompts_tokenized_total"));
    }

    [Fact]
    public async Task ShortPrompt_UnderTheThreshold_IsComputedOnTheDecodeNodeAlone()
    {
        var pd = cluster.Value;
        using var router = await ServeProcess.StartRouterAsync("-m", LocalCluster.Model, "--disagg-threshold", "256",
            "--node", pd.Prefill.Address.ToString(), "--node", pd.Decode.Address.ToString());
        await LocalCluster.WaitForReachableAsync(router, 2);
        var granted = (await DisaggregatedCluster.NodeInfoAsync(pd.Prefill)).GetProperty("leases").GetProperty("granted").GetInt64();
        var request = new { prompt = $"Kim said: {Story}", max_tokens = 8, temperature = 0 };

        var routed = await RouterTests.TextAsync(router.Http, "/v1/completions", request, stream: false);

        Assert.Equal(await RouterTests.TextAsync(pd.Single.Http, "/v1/completions", request, stream: false), routed);
        Assert.Equal(1, await router.MetricAsync("strata_router_prefilled_locally_total"));
        Assert.Equal(0, await router.MetricAsync("strata_router_disaggregated_total"));
        Assert.Equal(granted, (await DisaggregatedCluster.NodeInfoAsync(pd.Prefill)).GetProperty("leases").GetProperty("granted").GetInt64());
    }

    [Fact]
    public async Task Lease_NobodyPulls_ExpiresFreesItsBlocksAndAPullIsTold410()
    {
        var prefill = cluster.Value.Prefill;
        var lease = await LeaseAsync(prefill, $"Tom said: {Story}");
        var held = await DisaggregatedCluster.NodeInfoAsync(prefill);
        Assert.True(held.GetProperty("leases").GetProperty("held_blocks").GetInt32() >= 3);
        Assert.True(held.GetProperty("kv_blocks_used").GetInt32() >= 3);

        var leases = held;
        for (var i = 0; i < 100 && leases.GetProperty("leases").GetProperty("held").GetInt32() > 0; i++)
        {
            await Task.Delay(100); // the lease lasts 2 s
            leases = await DisaggregatedCluster.NodeInfoAsync(prefill);
        }

        Assert.Equal(0, leases.GetProperty("leases").GetProperty("held").GetInt32());
        Assert.True(leases.GetProperty("leases").GetProperty("expired").GetInt64() >= 1);
        Assert.Equal(0, leases.GetProperty("kv_blocks_used").GetInt32());
        Assert.Equal(1, await prefill.MetricAsync("strata_kv_integrity_ok"));
        using var late = await prefill.Http.GetAsync($"/cluster/leases/{lease}");
        Assert.Equal(HttpStatusCode.Gone, late.StatusCode);
        Assert.Equal("lease_ended", JsonDocument.Parse(await late.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Lease_PulledOnce_IsReleasedAndAnUnknownLeaseIs404()
    {
        var prefill = cluster.Value.Prefill;
        var lease = await LeaseAsync(prefill, $"Sue said: {Story}");

        using (var pull = await prefill.Http.GetAsync($"/cluster/leases/{lease}"))
        {
            Assert.Equal(HttpStatusCode.OK, pull.StatusCode);
            Assert.True(int.Parse(pull.Headers.GetValues("Strata-Kv-Blocks").Single()) >= 3);
            Assert.True((await pull.Content.ReadAsByteArrayAsync()).Length > 3 * 16 * 4);
        }
        using var again = await prefill.Http.GetAsync($"/cluster/leases/{lease}");
        using var unknown = await prefill.Http.GetAsync("/cluster/leases/00000000000000000000000000000000");

        Assert.Equal(HttpStatusCode.Gone, again.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("lease_not_found", JsonDocument.Parse(await unknown.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task HandoffHeader_OnANodeThatIsNotADecodeNode_IsAClearError()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = LocalCluster.Body(new { prompt = Story, max_tokens = 2 }) };
        request.Headers.Add("Strata-Kv-Lease", $"{cluster.Value.Prefill.Address}cluster/leases/x");

        using var response = await cluster.Value.Single.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not a decode node", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ManyRequests_WithClientDisconnects_LeaveNoBlockUsedAndIntegrityOnEveryNode()
    {
        var pd = cluster.Value;
        var clock = Stopwatch.StartNew();
        var random = new Random(7);
        var delays = Enumerable.Range(0, 500).Select(i => i % 5 == 0 ? random.Next(0, 40) : -1).ToArray();
        using var gate = new SemaphoreSlim(16);
        var outcomes = await Task.WhenAll(delays.Select(async (delay, i) =>
        {
            await gate.WaitAsync();
            try
            {
                using var disconnect = new CancellationTokenSource();
                if (delay >= 0)
                    disconnect.CancelAfter(delay); // during the prefill leg, the hand-off or decoding
                var body = LocalCluster.Body(new { prompt = $"{i % 7}. {Story}", max_tokens = 4, temperature = 0, stream = i % 2 == 0 });
                using var response = await pd.Router.Http.PostAsync("/v1/completions", body, disconnect.Token);
                await response.Content.ReadAsStringAsync(disconnect.Token);
                return response.IsSuccessStatusCode;
            }
            catch (OperationCanceledException)
            {
                return (bool?)null;
            }
            finally
            {
                gate.Release();
            }
        }));
        clock.Stop();

        Assert.DoesNotContain(false, outcomes);
        Assert.Contains(null, outcomes);
        foreach (var node in new[] { pd.Prefill, pd.Decode })
        {
            // Leases of requests that left between the legs expire (2 s).
            for (var i = 0; i < 100 && await node.MetricAsync("strata_kv_blocks_used") > 0; i++)
                await Task.Delay(100);
            Assert.Equal(0, await node.MetricAsync("strata_kv_blocks_used"));
            Assert.Equal(1, await node.MetricAsync("strata_kv_integrity_ok"));
        }
        // A hang guard, not a speed goal: a loaded two-core machine has taken most of a minute.
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), $"500 requests took {clock.Elapsed}");
    }

    internal static async Task<string> LeaseAsync(ServeProcess prefill, string prompt)
    {
        using var response = await prefill.Http.PostAsync("/cluster/prefill/completions", LocalCluster.Body(new { prompt, max_tokens = 8 }));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var lease = JsonDocument.Parse(body).RootElement;
        Assert.True(lease.GetProperty("blocks").GetInt32() >= 3, body);
        return lease.GetProperty("lease").GetString()!;
    }

    public sealed class OnePrefillOneDecode : IAsyncLifetime
    {
        internal DisaggregatedCluster Value { get; private set; } = null!;

        public async Task InitializeAsync() => Value = await DisaggregatedCluster.StartAsync();

        public Task DisposeAsync()
        {
            Value.Dispose();
            return Task.CompletedTask;
        }
    }
}
