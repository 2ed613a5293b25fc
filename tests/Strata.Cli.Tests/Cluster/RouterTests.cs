using System.Globalization;
using System.Text.Json;

namespace Strata.Cli.Tests.Cluster;

/// <summary>A router in front of two nodes: what comes out of it is what one node gives, and it places by prefix.</summary>
public sealed class RouterTests(RouterTests.TwoNodes cluster) : IClassFixture<RouterTests.TwoNodes>
{
    private const string Story = "Once upon a time there was a little girl named Lily. She loved to play outside in the park with her friends. " +
        "One day she saw a big red ball under a tree and ran to get it.";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Completions_ThroughRouter_EqualOneNodesGreedyOutput(bool stream)
    {
        var request = new { prompt = Story, max_tokens = 24, temperature = 0, stream };
        var direct = await TextAsync(cluster.Value.Nodes[0].Http, "/v1/completions", request, stream);
        var routed = await TextAsync(cluster.Value.Router.Http, "/v1/completions", request, stream);

        Assert.NotEmpty(direct);
        Assert.Equal(direct, routed);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Chat_ThroughRouter_EqualsOneNodesGreedyOutput(bool stream)
    {
        var request = new { messages = new[] { new { role = "user", content = "Tell me a story about a dog." } }, max_tokens = 16, temperature = 0, stream };
        var direct = await TextAsync(cluster.Value.Nodes[1].Http, "/v1/chat/completions", request, stream);
        var routed = await TextAsync(cluster.Value.Router.Http, "/v1/chat/completions", request, stream);

        Assert.NotEmpty(direct);
        Assert.Equal(direct, routed);
    }

    [Fact]
    public async Task TokenIds_SentByTheRouter_NoNodeTokenizesAndOutputsStayTheSame()
    {
        var chat = new { messages = new[] { new { role = "user", content = "Tell me a story about a cat." } }, max_tokens = 12, temperature = 0 };
        var completion = new { prompt = $"Ann said: {Story}", max_tokens = 12, temperature = 0, echo = true };
        var nodes = cluster.Value.Nodes;
        var before = await TokenizedAsync(nodes);

        var routedChat = await TextAsync(cluster.Value.Router.Http, "/v1/chat/completions", chat, stream: false);
        var routedCompletion = await TextAsync(cluster.Value.Router.Http, "/v1/completions", completion, stream: false);
        var routedTokenized = await TokenizedAsync(nodes) - before;
        var directChat = await TextAsync(nodes[0].Http, "/v1/chat/completions", chat, stream: false);
        var directCompletion = await TextAsync(nodes[1].Http, "/v1/completions", completion, stream: false);

        Assert.Equal(0, routedTokenized);
        Assert.Equal(2, await TokenizedAsync(nodes) - before); // the counter counts: the direct requests were tokenized
        Assert.Equal(directChat, routedChat);
        Assert.Equal(directCompletion, routedCompletion);
        Assert.StartsWith($"Ann said: {Story}", routedCompletion); // echo gives the client's text back
    }

    [Fact]
    public async Task TokenIds_SentByAClient_AreNotPassedOnByTheRouter()
    {
        // Ids of some other prompt: a node taking them would answer another question.
        var request = new { prompt = $"Bob said: {Story}", max_tokens = 8, temperature = 0, strata_prompt_tokens = new[] { 1, 403, 407 } };
        var honest = new { prompt = $"Bob said: {Story}", max_tokens = 8, temperature = 0 };

        Assert.Equal(await TextAsync(cluster.Value.Nodes[0].Http, "/v1/completions", honest, stream: false),
            await TextAsync(cluster.Value.Router.Http, "/v1/completions", request, stream: false));
    }

    private static async Task<double> TokenizedAsync(IEnumerable<ServeProcess> nodes)
    {
        var total = 0.0;
        foreach (var node in nodes)
            total += await node.MetricAsync("strata_prompts_tokenized_total");
        return total;
    }

    [Fact]
    public async Task KvAware_SharedPrefixes_EachPrefixStaysOnTheNodeThatHoldsIt()
    {
        var router = cluster.Value.Router;
        var before = await router.MetricAsync("strata_router_cached_prompt_blocks_total");
        // Two long prefixes, each asked about four times: after the first request of each, the node that computed it
        // holds its blocks (its KV events say so) and gets the rest.
        string[] prefixes = [$"Tom had a red kite. {Story}", $"Sue had a blue boat. {Story}"];
        foreach (var prefix in prefixes)
            for (var i = 0; i < 4; i++)
            {
                await TextAsync(router.Http, "/v1/completions", new { prompt = $"{prefix} Question {i}:", max_tokens = 2, temperature = 0 }, stream: false);
                await Task.Delay(100); // the node's KV events reach the router
            }

        // Each prefix is 3 full blocks; 3 of the 4 requests per prefix should find all of them.
        var cached = await router.MetricAsync("strata_router_cached_prompt_blocks_total") - before;
        Assert.True(cached >= 2 * 3 * 3, $"only {cached} prompt blocks were routed to a node that held them");
    }

    [Fact]
    public async Task Disconnects_AtTheRouter_LeaveNoBlockUsedOnAnyNode()
    {
        var router = cluster.Value.Router;
        var tasks = Enumerable.Range(0, 20).Select(async i =>
        {
            var body = LocalCluster.Body(new { prompt = $"{i}. {Story}", max_tokens = 200, temperature = 0, stream = true, ignore_eos = true });
            using var disconnect = new CancellationTokenSource();
            if (i % 5 == 0)
                disconnect.CancelAfter(TimeSpan.FromMilliseconds(20 * i)); // some before the first token, some after
            try
            {
                using var response = await router.Http.PostAsync("/v1/completions", body, disconnect.Token);
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(disconnect.Token));
                while (await reader.ReadLineAsync(disconnect.Token) is not null)
                {
                }
                return true;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }).ToList();
        var completed = await Task.WhenAll(tasks);

        Assert.Contains(false, completed);
        foreach (var node in cluster.Value.Nodes)
            await WaitUntilNoBlockUsedAsync(node);
    }

    internal static async Task<string> TextAsync(HttpClient http, string path, object request, bool stream)
    {
        using var response = await http.PostAsync(path, LocalCluster.Body(request));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        if (!stream)
            return Text(JsonDocument.Parse(body).RootElement.GetProperty("choices")[0]);
        var chunks = body.Split('\n').Where(l => l.StartsWith("data: {", StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l["data: ".Length..]).RootElement.GetProperty("choices"))
            .Where(choices => choices.GetArrayLength() > 0);
        return string.Concat(chunks.Select(c => Text(c[0])));
    }

    private static string Text(JsonElement choice) =>
        choice.TryGetProperty("text", out var text) ? text.GetString()!
        : choice.TryGetProperty("message", out var message) ? message.GetProperty("content").GetString()!
        : choice.GetProperty("delta").TryGetProperty("content", out var delta) ? delta.GetString() ?? "" : "";

    private static async Task WaitUntilNoBlockUsedAsync(ServeProcess node)
    {
        for (var i = 0; i < 100 && await node.MetricAsync("strata_kv_blocks_used") > 0; i++)
            await Task.Delay(50);
        Assert.Equal(0, await node.MetricAsync("strata_kv_blocks_used"));
    }

    public sealed class TwoNodes : IAsyncLifetime
    {
        internal LocalCluster Value { get; private set; } = null!;

        public async Task InitializeAsync() => Value = await LocalCluster.StartAsync(2);

        public Task DisposeAsync()
        {
            Value.Dispose();
            return Task.CompletedTask;
        }
    }
}
