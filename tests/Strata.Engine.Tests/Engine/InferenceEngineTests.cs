using Strata.Engine.Requests;
using Strata.Engine.Sampling;
using Strata.TestSupport;

namespace Strata.Engine.Tests.Engine;

public sealed class InferenceEngineTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    private static readonly string[] Prompts =
    [
        "Once upon a time", "Lily and Tom went to the park", "The little dog was sad because", "One day, a bird",
        "Tim had a red ball", "The sun was hot and", "Mom said to Sue", "There was a big tree",
    ];

    [Fact]
    public async Task Submit_GreedyPrompt_EqualsLlamaCppGoldenTokens()
    {
        using var engine = fixture.Start();
        foreach (var golden in GoldenGreedy.Read("stories260k-f32.greedy.txt"))
        {
            Assert.Equal(golden.PromptTokens, fixture.Tokens(golden.Prompt));
            var completion = await Completion.CollectAsync(engine.Submit(EngineFixture.Greedy(golden.PromptTokens, 64)));
            Assert.Equal(golden.GeneratedTokens, completion.Tokens[0]);
            Assert.Equal(golden.Text, completion.Texts[0]);
            Assert.Equal(FinishReason.Length, completion.Reasons[0]);
        }
        await engine.CheckIntegrityAsync();
    }

    [Theory]
    [InlineData(64L << 20, 64)]
    [InlineData(1L << 20, 16)]
    public async Task Submit_ThirtyTwoConcurrent_EachEqualsAlone(long kvBytes, int blockSize)
    {
        var requests = Enumerable.Range(0, 32).Select(i => EngineFixture.Greedy(fixture.Tokens(Prompts[i % Prompts.Length] + new string('!', i / 8)), 40 + i)).ToArray();
        var alone = new List<Completion>();
        using (var engine = fixture.Start())
        {
            foreach (var request in requests)
                alone.Add(await Completion.CollectAsync(engine.Submit(request)));
        }

        using var busy = fixture.Start(new EngineOptions { KvCacheBytes = kvBytes, BlockSize = blockSize, Threads = 2, MaxBatchedTokens = 96 });
        var together = await Task.WhenAll(requests.Select(r => Completion.CollectAsync(busy.Submit(r))));

        for (var i = 0; i < requests.Length; i++)
            Assert.Equal(alone[i].Tokens[0], together[i].Tokens[0]);
        if (kvBytes < 2L << 20)
            Assert.True(busy.Stats.Preemptions > 0, "a tiny KV cache should force preemptions");
        await busy.CheckIntegrityAsync();
        Assert.Equal(0, busy.Stats.KvBlocksUsed);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Submit_StaggeredArrivalsUnderPreemption_EachEqualsAlone(int seed)
    {
        // Arrivals spread over the engine's steps change which sequences share a step, which ones are preempted and
        // when they resume; none of that may change a greedy output.
        var requests = Enumerable.Range(0, 32).Select(i => EngineFixture.Greedy(fixture.Tokens(Prompts[i % Prompts.Length] + new string('!', i / 8)), 40 + i)).ToArray();
        var alone = new List<Completion>();
        using (var engine = fixture.Start())
        {
            foreach (var request in requests)
                alone.Add(await Completion.CollectAsync(engine.Submit(request)));
        }

        var random = new Random(seed);
        for (var round = 0; round < 40; round++)
        {
            using var busy = fixture.Start(new EngineOptions { KvCacheBytes = 1L << 20, BlockSize = 16, Threads = 2, MaxBatchedTokens = 96 });
            var order = Enumerable.Range(0, requests.Length).OrderBy(_ => random.Next()).ToArray();
            var together = new Task<Completion>[requests.Length];
            foreach (var i in order)
            {
                together[i] = Completion.CollectAsync(busy.Submit(requests[i]));
                if (random.Next(4) == 0)
                    await Task.Delay(random.Next(1, 4));
            }
            // A hang guard: a round takes seconds alone, much longer on a loaded two-core machine.
            var completions = await Task.WhenAll(together).WaitAsync(TimeSpan.FromSeconds(180));
            for (var i = 0; i < requests.Length; i++)
                Assert.True(alone[i].Tokens[0].SequenceEqual(completions[i].Tokens[0]),
                    $"round {round}, request {i}: [{string.Join(' ', completions[i].Tokens[0])}] vs alone [{string.Join(' ', alone[i].Tokens[0])}]");
            await busy.CheckIntegrityAsync();
        }
    }

    [Fact]
    public async Task Submit_ChoicesGreedy_EveryChoiceEqualsSingle()
    {
        using var engine = fixture.Start();
        var prompt = fixture.Tokens("The little dog was sad because");
        var single = await Completion.CollectAsync(engine.Submit(EngineFixture.Greedy(prompt, 30)));

        var three = await Completion.CollectAsync(engine.Submit(EngineFixture.Greedy(prompt, 30, choices: 3)), 3);

        Assert.All(three.Tokens, tokens => Assert.Equal(single.Tokens[0], tokens));
        await engine.CheckIntegrityAsync();
    }

    [Fact]
    public async Task Submit_ChoicesSampled_DifferAndReproduceWithSeed()
    {
        using var engine = fixture.Start();
        var request = new GenerationRequest
        {
            PromptTokens = fixture.Tokens("Once upon a time"),
            Sampling = new SamplingParams { Temperature = 1.5f, MaxTokens = 24, Seed = 99 },
            Choices = 4,
        };

        var first = await Completion.CollectAsync(engine.Submit(request), 4);
        var second = await Completion.CollectAsync(engine.Submit(request), 4);

        Assert.True(first.Texts.Distinct().Count() > 1, "hot sampling should make choices differ");
        Assert.Equal(first.Texts, second.Texts);
    }

    [Fact]
    public async Task Submit_ChoicesBeyondMaxSequences_ExtraChoicesWaitWithTheSameOutput()
    {
        var request = new GenerationRequest
        {
            PromptTokens = fixture.Tokens("Once upon a time, in a big forest"),
            Sampling = new SamplingParams { Temperature = 1.2f, MaxTokens = 20, Seed = 7 },
            Choices = 3,
        };
        using var roomy = fixture.Start();
        var together = await Completion.CollectAsync(roomy.Submit(request), 3);

        using var capped = fixture.Start(new EngineOptions { KvCacheBytes = 64L << 20, Threads = 2, MaxBatchedTokens = 256, MaxSequences = 1 });
        var handle = capped.Submit(request);
        var running = new List<int>();
        var reading = Completion.CollectAsync(handle, 3);
        while (!reading.IsCompleted)
        {
            running.Add(capped.Stats.RunningSequences);
            await Task.Delay(1);
        }
        var oneAtATime = await reading;

        Assert.Equal(together.Texts, oneAtATime.Texts);
        Assert.All(running, count => Assert.InRange(count, 0, 1));
        await capped.CheckIntegrityAsync();
    }

    [Fact]
    public async Task Submit_StopString_CutsBeforeItAndFinishesWithStop()
    {
        using var engine = fixture.Start();
        var request = EngineFixture.Greedy(fixture.Tokens("Once upon a time"), 64) with { };
        request = request with { Sampling = request.Sampling with { Stop = ["girl"] } };

        var completion = await Completion.CollectAsync(engine.Submit(request));

        Assert.Equal(", there was a little ", completion.Texts[0]);
        Assert.Equal(FinishReason.Stop, completion.Reasons[0]);
    }

    [Fact]
    public async Task Submit_Cancelled_FinishesAndFreesBlocks()
    {
        using var engine = fixture.Start();
        using var cancellation = new CancellationTokenSource();
        var handle = engine.Submit(EngineFixture.Greedy(fixture.Tokens("Once upon a time"), 400) with { }, cancellation.Token);
        await handle.Events.ReadAsync();
        cancellation.Cancel();

        var rest = await Completion.CollectAsync(handle);

        Assert.Equal(FinishReason.Cancelled, rest.Reasons[0]);
        await engine.CheckIntegrityAsync();
        await WaitUntil(() => engine.Stats.KvBlocksUsed == 0);
    }

    [Theory]
    [InlineData(new int[0], "empty")]
    [InlineData(new[] { 1, 100000 }, "outside the vocabulary")]
    public void Submit_InvalidPrompt_Rejected(int[] prompt, string message)
    {
        using var engine = fixture.Start();
        var error = Assert.Throws<RequestRejectedException>(() => engine.Submit(EngineFixture.Greedy(prompt, 4)));
        Assert.Contains(message, error.Message);
        Assert.False(error.Overloaded);
    }

    [Fact]
    public void Submit_PromptLongerThanContext_Rejected()
    {
        using var engine = fixture.Start();
        var error = Assert.Throws<RequestRejectedException>(() => engine.Submit(EngineFixture.Greedy(new int[engine.MaxModelLength], 4)));
        Assert.Contains("context", error.Message);
    }

    [Fact]
    public async Task Stress_HundredsOfRequestsWithRandomCancellations_LeaveNoBlocks()
    {
        using var engine = fixture.Start(new EngineOptions { KvCacheBytes = 2L << 20, BlockSize = 16, Threads = 2, MaxBatchedTokens = 128, MaxSequences = 24 });
        var random = new Random(5);
        var tasks = new List<Task>();
        for (var i = 0; i < 300; i++)
        {
            var cancellation = new CancellationTokenSource();
            var request = EngineFixture.Greedy(fixture.Tokens(Prompts[random.Next(Prompts.Length)]), random.Next(1, 60), choices: random.Next(1, 3));
            var handle = engine.Submit(request, cancellation.Token);
            var cancelAfter = random.Next(3) == 0 ? random.Next(0, 30) : -1;
            if (cancelAfter >= 0)
                cancellation.CancelAfter(cancelAfter);
            tasks.Add(Completion.CollectAsync(handle, request.Choices).ContinueWith(_ => cancellation.Dispose()));
        }
        await Task.WhenAll(tasks);

        await engine.CheckIntegrityAsync();
        await WaitUntil(() => engine.Stats.KvBlocksUsed == 0 && engine.Stats.RunningSequences == 0);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
            await Task.Delay(10);
        Assert.True(condition());
    }
}
