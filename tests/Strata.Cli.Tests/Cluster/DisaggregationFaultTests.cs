using System.Diagnostics;
using System.Text.Json;

namespace Strata.Cli.Tests.Cluster;

/// <summary>Prefill and decode nodes killed with SIGKILL around the KV hand-off.</summary>
public sealed class DisaggregationFaultTests
{
    private const string Story = "Once upon a time there was a little girl named Lily. She loved to play outside in the park with her friends. " +
        "One day she saw a big red ball under a tree and ran to get it.";

    [Fact]
    public async Task PrefillNodeKilledAfterLeasing_DecodeNodeComputesThePromptAndAnswersAsOneNode()
    {
        using var prefill = await DisaggregatedCluster.Node("--role", "prefill");
        using var decode = await DisaggregatedCluster.Node("--role", "decode");
        using var single = await DisaggregatedCluster.Node();
        var lease = await DisaggregationTests.LeaseAsync(prefill, Story);
        prefill.Kill();

        var request = new { prompt = Story, max_tokens = 24, temperature = 0 };
        using var message = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = LocalCluster.Body(request) };
        message.Headers.Add("Strata-Kv-Lease", $"{prefill.Address}cluster/leases/{lease}");
        using var response = await decode.Http.SendAsync(message);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.IsSuccessStatusCode, body);
        Assert.StartsWith("blocks=0;", response.Headers.GetValues("Strata-Kv-Handoff").Single());
        var text = JsonDocument.Parse(body).RootElement.GetProperty("choices")[0].GetProperty("text").GetString();
        Assert.Equal(await RouterTests.TextAsync(single.Http, "/v1/completions", request, stream: false), text);
        Assert.Equal(0, await decode.MetricAsync("strata_kv_blocks_used"));
    }

    [Fact]
    public async Task PrefillNodeKilled_RouterHasTheDecodeNodeComputeThePrompt()
    {
        using var cluster = await DisaggregatedCluster.StartAsync();
        cluster.Prefill.Kill();

        var request = new { prompt = Story, max_tokens = 24, temperature = 0, stream = true };
        var routed = await RouterTests.TextAsync(cluster.Router.Http, "/v1/completions", request, stream: true);

        Assert.Equal(await RouterTests.TextAsync(cluster.Single.Http, "/v1/completions", request, stream: true), routed);
    }

    [Fact]
    public async Task DecodeNodeKilledMidStream_StreamEndsWithNodeFailedAndThePrefillNodeHoldsNothing()
    {
        using var cluster = await DisaggregatedCluster.StartAsync();
        var body = LocalCluster.Body(new { prompt = Story, max_tokens = 400, temperature = 0, stream = true, ignore_eos = true });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = body };
        using var response = await cluster.Router.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line && !line.StartsWith("data: {", StringComparison.Ordinal))
        {
        }

        cluster.Decode.Kill();
        var killed = Stopwatch.StartNew();
        var events = new List<string>();
        while (await reader.ReadLineAsync() is { } line)
            if (line.StartsWith("data: ", StringComparison.Ordinal))
                events.Add(line["data: ".Length..]);
        killed.Stop();

        Assert.True(killed.Elapsed < TimeSpan.FromSeconds(2), $"the stream ended {killed.Elapsed} after the kill");
        Assert.Equal("[DONE]", events[^1]);
        Assert.Equal("node_failed", JsonDocument.Parse(events[^2]).RootElement.GetProperty("error").GetProperty("code").GetString());
        // The decode node had pulled the lease before streaming: the prefill node released it then.
        var prefill = await DisaggregatedCluster.NodeInfoAsync(cluster.Prefill);
        Assert.Equal(0, prefill.GetProperty("leases").GetProperty("held").GetInt32());
        Assert.Equal(1, prefill.GetProperty("leases").GetProperty("pulled").GetInt64());
        Assert.Equal(0, prefill.GetProperty("kv_blocks_used").GetInt32());
    }
}
