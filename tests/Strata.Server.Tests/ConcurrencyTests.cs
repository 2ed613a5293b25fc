using Strata.Engine;

namespace Strata.Server.Tests;

public sealed class ConcurrencyTests
{
    [Theory]
    [InlineData(16L << 20, 64)]
    [InlineData(1L << 20, 16)]
    public async Task Completions_ThirtyTwoConcurrentGreedy_EachEqualsAlone(long kvBytes, int blockSize)
    {
        await using var server = await RunningServer.StartAsync(new EngineOptions
        {
            KvCacheBytes = kvBytes, BlockSize = blockSize, Threads = 1, MaxBatchedTokens = 96,
        });
        var requests = Enumerable.Range(0, 32)
            .Select(i => (Prompt: Prompts.Stories[i % Prompts.Stories.Length] + new string('!', i / 8), MaxTokens: 40 + i, Stream: i % 2 == 1))
            .ToArray();
        var alone = new List<string>();
        foreach (var (prompt, maxTokens, _) in requests)
            alone.Add(await server.GreedyTextAsync(prompt, maxTokens));

        var together = await Task.WhenAll(requests.Select(r => GreedyAsync(server, r.Prompt, r.MaxTokens, r.Stream)));

        Assert.Equal(alone, together);
        if (kvBytes < 2L << 20)
            Assert.True(await server.MetricAsync("strata_preemptions_total") > 0, "a 1 MiB KV cache should force preemptions");
        await server.WaitForIdleAsync();
        await server.Engine.CheckIntegrityAsync();
    }

    [Fact]
    public async Task Completions_ChoicesOfConcurrentRequests_NeverRunBeyondMaxNumSeqs()
    {
        await using var server = await RunningServer.StartAsync(RunningServer.SmallEngine with { MaxSequences = 2 });

        var responses = await Task.WhenAll(Enumerable.Range(0, 3).Select(i =>
            server.PostOkAsync("/v1/completions", new { prompt = Prompts.Stories[i], max_tokens = 12, n = 4, temperature = 0.8, seed = i })));

        Assert.All(responses, r => Assert.Equal(4, r.GetProperty("choices").GetArrayLength()));
        Assert.Equal(2, await server.MetricAsync("strata_sequences_running_peak"));
        await server.WaitForIdleAsync();
        await server.Engine.CheckIntegrityAsync();
    }

    private static async Task<string> GreedyAsync(RunningServer server, string prompt, int maxTokens, bool stream)
    {
        if (!stream)
            return await server.GreedyTextAsync(prompt, maxTokens);
        using var response = await server.PostAsync("/v1/completions", new { prompt, max_tokens = maxTokens, temperature = 0, stream = true });
        return Sse.JoinChoices(await Sse.ReadChunksAsync(response), 1, Sse.CompletionText)[0];
    }
}
