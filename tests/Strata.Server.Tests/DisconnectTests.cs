using System.Net;
using Microsoft.Extensions.Logging;
using Strata.Engine;
using Strata.Models;

namespace Strata.Server.Tests;

/// <summary>
/// Clients that leave mid-request: the server notices through the connection alone and the engine frees the
/// sequence's KV blocks within a step. A model copy with a 4096-token context makes prefill and generation long
/// enough to interrupt.
/// </summary>
public sealed class DisconnectTests
{
    private static readonly EngineOptions LongContext = new() { KvCacheBytes = 16L << 20, Threads = 1, MaxBatchedTokens = 16 };

    [Fact]
    public async Task Disconnect_MidPrefill_FreesBlocksBeforeAnyToken()
    {
        await using var server = await RunningServer.StartAsync(LongContext, modelPath: ModelFiles.StoriesLongContext);
        var prompt = string.Concat(Enumerable.Repeat("Once upon a time there was a dog. ", 360));
        var promptTokens = server.Engine.Model.Tokenizer.Encode(prompt, addSpecial: true, parseSpecial: true).Length;
        Assert.InRange(promptTokens, 3000, 4000);

        using (var connection = await RawHttpConnection.PostAsync(server.BaseAddress, "/v1/completions", new { prompt, max_tokens = 8 }))
        {
            await WaitUntilAsync(async () => await server.MetricAsync("strata_prompt_tokens_total") > 0);
            Assert.Equal(0, await server.MetricAsync("strata_generation_tokens_total"));
        }

        await server.WaitForIdleAsync(TimeSpan.FromSeconds(2));
        Assert.Equal(0, await server.MetricAsync("strata_generation_tokens_total"));
        Assert.InRange(await server.MetricAsync("strata_prompt_tokens_total"), 1, promptTokens - 1);
        await server.Engine.CheckIntegrityAsync();
        await server.AssertHealthyAsync();
    }

    [Fact]
    public async Task Disconnect_MidStream_StopsGenerationAndFreesBlocks()
    {
        await using var server = await RunningServer.StartAsync(LongContext, modelPath: ModelFiles.StoriesLongContext);
        const int maxTokens = 4000;

        using (var connection = await RawHttpConnection.PostAsync(server.BaseAddress, "/v1/completions",
            new { prompt = "Once upon a time", max_tokens = maxTokens, ignore_eos = true, stream = true }))
        {
            await connection.ReadUntilAsync("data: ", 3);
        }

        await server.WaitForIdleAsync(TimeSpan.FromSeconds(2));
        Assert.InRange(await server.MetricAsync("strata_generation_tokens_total"), 3, maxTokens - 1);
        Assert.Equal(1, await server.MetricAsync("strata_requests_total{status=\"200\"}"));
        await server.Engine.CheckIntegrityAsync();
        await server.AssertHealthyAsync();
    }

    [Fact]
    public async Task Shutdown_MidStream_CancelsGenerationAndFreesBlocks()
    {
        using var model = LoadedModel.Load(ModelFiles.StoriesLongContext);
        using var engine = InferenceEngine.Start(model, LongContext);
        var server = await StrataServer.StartAsync(engine, new ServerOptions { Port = 0, LogLevel = LogLevel.Error });
        using (var connection = await RawHttpConnection.PostAsync(server.BaseAddress, "/v1/completions",
            new { prompt = "Once upon a time", max_tokens = 4000, ignore_eos = true, stream = true }))
        {
            await connection.ReadUntilAsync("data: ", 3);

            await server.DisposeAsync();
        }

        for (var i = 0; i < 200 && (engine.Stats.KvBlocksUsed > 0 || engine.Stats.RunningSequences > 0); i++)
            await Task.Delay(10);
        Assert.Equal(0, engine.Stats.KvBlocksUsed);
        Assert.InRange(engine.Stats.GeneratedTokens, 3, 3999);
        await engine.CheckIntegrityAsync();
    }

    [Fact]
    public async Task Stress_HundredsOfRequestsWithRandomCancellations_LeaveNoBlocks()
    {
        await using var server = await RunningServer.StartAsync(new EngineOptions
        {
            KvCacheBytes = 2L << 20, BlockSize = 16, Threads = 1, MaxBatchedTokens = 128, MaxSequences = 24,
        });
        var random = new Random(5);
        var tasks = Enumerable.Range(0, 300).Select(_ =>
        {
            var body = new
            {
                prompt = Prompts.Stories[random.Next(Prompts.Stories.Length)],
                max_tokens = random.Next(1, 40),
                n = random.Next(1, 3),
                stream = random.Next(2) == 0,
                temperature = 0.8,
            };
            var cancelAfter = random.Next(3) == 0 ? random.Next(0, 40) : -1;
            return SendAsync(server, body, cancelAfter);
        }).ToList();

        var statuses = await Task.WhenAll(tasks);

        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or null, $"unexpected status {s}"));
        Assert.Contains(statuses, s => s is null);
        await server.WaitForIdleAsync(TimeSpan.FromSeconds(5));
        await server.Engine.CheckIntegrityAsync();
        await server.AssertHealthyAsync();
    }

    // The status of a request that ran to its end, or null for one the client cancelled.
    private static async Task<HttpStatusCode?> SendAsync(RunningServer server, object body, int cancelAfterMs)
    {
        using var cancellation = new CancellationTokenSource();
        if (cancelAfterMs >= 0)
            cancellation.CancelAfter(cancelAfterMs);
        try
        {
            using var response = await server.PostAsync("/v1/completions", body, cancellation.Token);
            await response.Content.ReadAsStringAsync(cancellation.Token);
            return response.StatusCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 500 && !await condition(); i++)
            await Task.Delay(5);
        Assert.True(await condition());
    }
}
