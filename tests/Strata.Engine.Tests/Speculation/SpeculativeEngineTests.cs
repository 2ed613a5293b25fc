using Strata.Engine.Requests;
using Strata.Engine.Sampling;
using Strata.Engine.Speculation;
using Strata.Engine.Tests.Engine;
using Strata.Kernels.Quant;
using Strata.Models.Synth;
using Strata.TestSupport;

namespace Strata.Engine.Tests.Speculation;

/// <summary>
/// Speculative decoding on the TinyStories model: whatever the method, every output must be the one plain decoding
/// gives — greedy or seeded sampling, alone or among 32 concurrent requests, under preemption, with prefix hits,
/// with several choices and with stop strings — and drafts must actually have been accepted along the way.
/// </summary>
public sealed class SpeculativeEngineTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    private static readonly string[] Prompts =
    [
        "Once upon a time", "Lily and Tom went to the park", "The little dog was sad because", "One day, a bird",
        "Tim had a red ball", "The sun was hot and", "Mom said to Sue", "There was a big tree",
        // Input-grounded: the story so far, told again.
        "Lily saw a big red ball in the park. She wanted to play with the ball. Lily saw a big red ball",
        "Tom and Sue went to the shop. They got a toy car and a hat. Tom and Sue went to",
        "The cat sat on the mat. The dog sat on the log. The cat sat on the mat. The dog",
        "Ben liked to run and jump. One day Ben ran to the tree and jumped. Ben liked to",
    ];

    private static EngineOptions Options(SpeculativeMethod? method, long kvBytes = 64L << 20, int blockSize = 16, int maxStepTokens = 64) => new()
    {
        KvCacheBytes = kvBytes,
        BlockSize = blockSize,
        Threads = 2,
        MaxBatchedTokens = 96,
        Speculation = method is { } m
            ? new SpeculationOptions
            {
                Method = m, NumSpeculativeTokens = 5, MaxStepTokens = maxStepTokens, CostAware = false,
                DraftModelPath = m == SpeculativeMethod.Draft ? SharedData.Model("tinyllamas-stories-260k-q4_0.gguf") : null,
            }
            : null,
    };

    [Theory]
    [InlineData(SpeculativeMethod.Ngram)]
    [InlineData(SpeculativeMethod.Suffix)]
    [InlineData(SpeculativeMethod.Draft)]
    public async Task Submit_ManyPromptsAlone_GreedyEqualsPlain(SpeculativeMethod method)
    {
        var requests = Prompts.Select((p, i) => EngineFixture.Greedy(fixture.Tokens(p), 60 + i * 5)).ToArray();
        var plain = await RunAlone(Options(null), requests);
        using var engine = fixture.Start(Options(method));

        foreach (var (request, expected) in requests.Zip(plain))
        {
            var completion = await Completion.CollectAsync(engine.Submit(request));
            Assert.Equal(expected.Tokens[0], completion.Tokens[0]);
            Assert.Equal(expected.Texts[0], completion.Texts[0]);
            Assert.Equal(expected.Reasons[0], completion.Reasons[0]);
        }
        AssertAccepted(engine.Stats);
        await engine.CheckIntegrityAsync();
    }

    [Theory]
    [InlineData(SpeculativeMethod.Ngram, 64L << 20)]
    [InlineData(SpeculativeMethod.Suffix, 64L << 20)]
    [InlineData(SpeculativeMethod.Ngram, 1L << 20)]
    [InlineData(SpeculativeMethod.Suffix, 1L << 20)]
    [InlineData(SpeculativeMethod.Draft, 64L << 20)]
    [InlineData(SpeculativeMethod.Draft, 600_000L)]
    public async Task Submit_ThirtyTwoConcurrent_GreedyEqualsPlain(SpeculativeMethod method, long kvBytes)
    {
        var requests = Enumerable.Range(0, 32).Select(i => EngineFixture.Greedy(fixture.Tokens(Prompts[i % Prompts.Length] + new string('!', i / 12)), 40 + i)).ToArray();
        var plain = await RunAlone(Options(null), requests);

        // A step limit above the batch lets every sequence speculate; the tiny cache forces preemptions.
        using var busy = fixture.Start(Options(method, kvBytes, maxStepTokens: 512));
        var together = await Task.WhenAll(requests.Select(r => Completion.CollectAsync(busy.Submit(r))));

        for (var i = 0; i < requests.Length; i++)
            Assert.Equal(plain[i].Tokens[0], together[i].Tokens[0]);
        if (kvBytes < 2L << 20)
            Assert.True(busy.Stats.Preemptions > 0, $"a tiny KV cache should force preemptions ({busy.Stats})");
        AssertAccepted(busy.Stats);
        await busy.CheckIntegrityAsync();
        Assert.Equal(0, busy.Stats.KvBlocksUsed);
    }

    [Theory]
    [InlineData(SpeculativeMethod.Ngram)]
    [InlineData(SpeculativeMethod.Suffix)]
    [InlineData(SpeculativeMethod.Draft)]
    public async Task Submit_PrefixHitAndThreeChoices_GreedyEqualsPlain(SpeculativeMethod method)
    {
        var prompt = fixture.Tokens(Prompts[8] + " and she");
        var plain = (await RunAlone(Options(null), [EngineFixture.Greedy(prompt, 48)]))[0];
        using var engine = fixture.Start(Options(method, blockSize: 4));

        var first = await Completion.CollectAsync(engine.Submit(EngineFixture.Greedy(prompt, 48)));
        var cachedBefore = engine.Stats.CachedPromptTokens;
        var hit = await Completion.CollectAsync(engine.Submit(EngineFixture.Greedy(prompt, 48)));
        var three = await Completion.CollectAsync(engine.Submit(EngineFixture.Greedy(prompt, 48, choices: 3)), 3);

        Assert.True(engine.Stats.CachedPromptTokens > cachedBefore, "the second request should hit the prefix cache");
        Assert.Equal(plain.Tokens[0], first.Tokens[0]);
        Assert.Equal(plain.Tokens[0], hit.Tokens[0]);
        Assert.All(three.Tokens, tokens => Assert.Equal(plain.Tokens[0], tokens));
        AssertAccepted(engine.Stats);
        await engine.CheckIntegrityAsync();
    }

    [Theory]
    [InlineData(SpeculativeMethod.Ngram)]
    [InlineData(SpeculativeMethod.Suffix)]
    [InlineData(SpeculativeMethod.Draft)]
    public async Task Submit_StopStrings_SameTextAndFinishAsPlain(SpeculativeMethod method)
    {
        // Stops that appear deep in the greedy continuations, where drafts run past them.
        var requests = Prompts.Select(p => EngineFixture.Greedy(fixture.Tokens(p), 80) is var r
            ? r with { Sampling = r.Sampling with { Stop = ["ball.", "happy", "said"] } } : r).ToArray();
        var plain = await RunAlone(Options(null), requests);
        var alone = await RunAlone(Options(method), requests);

        Assert.Contains(plain, c => c.Reasons[0] == FinishReason.Stop);
        for (var i = 0; i < requests.Length; i++)
        {
            Assert.Equal(plain[i].Texts[0], alone[i].Texts[0]);
            Assert.Equal(plain[i].Tokens[0], alone[i].Tokens[0]);
            Assert.Equal(plain[i].Reasons[0], alone[i].Reasons[0]);
        }
    }

    [Theory]
    [InlineData(SpeculativeMethod.Ngram)]
    [InlineData(SpeculativeMethod.Suffix)]
    public async Task Submit_SeededSampling_SameTokensAsPlain(SpeculativeMethod method)
    {
        // A one-hot draft is accepted exactly when the token sampled at its row equals it, which draws the same random
        // numbers as plain decoding: a seeded request must reproduce, penalties, top-k, top-p and n = 3 included.
        var requests = Prompts.Select((p, i) => new GenerationRequest
        {
            PromptTokens = fixture.Tokens(p),
            Sampling = new SamplingParams
            {
                Temperature = 0.7f, TopK = 40, TopP = 0.95f, MinP = 0.02f, FrequencyPenalty = 0.2f, RepetitionPenalty = 1.05f,
                Seed = (ulong)(i + 1), MaxTokens = 50,
            },
            Choices = 3,
            Logprobs = i % 2 == 0,
        }).ToArray();
        var plain = await RunAlone(Options(null), requests);
        using var engine = fixture.Start(Options(method));

        foreach (var (request, expected) in requests.Zip(plain))
        {
            var completion = await Completion.CollectAsync(engine.Submit(request), 3);
            Assert.Equal(expected.Tokens, completion.Tokens);
        }
        AssertAccepted(engine.Stats);
    }

    [Fact]
    public async Task Submit_SeededSamplingWithDraftModel_ReproducesAndFreesBothPools()
    {
        // A draft model's drafts are drawn, not one-hot: verification takes other random numbers than plain decoding,
        // but the same seed must give the same tokens again, and aborted and finished requests leave no draft blocks.
        var requests = Prompts.Select((p, i) => new GenerationRequest
        {
            PromptTokens = fixture.Tokens(p),
            Sampling = new SamplingParams { Temperature = 0.8f, TopK = 40, TopP = 0.95f, RepetitionPenalty = 1.05f, Seed = (ulong)(i + 1), MaxTokens = 50 },
            Choices = 2,
        }).ToArray();
        var first = await RunAlone(Options(SpeculativeMethod.Draft), requests);
        using var engine = fixture.Start(Options(SpeculativeMethod.Draft));

        foreach (var (request, expected) in requests.Zip(first))
            Assert.Equal(expected.Tokens, (await Completion.CollectAsync(engine.Submit(request), 2)).Tokens);
        AssertAccepted(engine.Stats);
        using (var cancel = new CancellationTokenSource())
        {
            var aborted = engine.Submit(EngineFixture.Greedy(fixture.Tokens(Prompts[8]), 400), cancel.Token);
            await aborted.Events.ReadAsync();
            await aborted.Events.ReadAsync();
            cancel.Cancel();
            await Completion.CollectAsync(aborted);
        }
        // The engine's statistics are taken after a step: one more request makes a step after the abort.
        await Completion.CollectAsync(engine.Submit(EngineFixture.Greedy(fixture.Tokens(Prompts[0]), 8)));
        await engine.CheckIntegrityAsync();
        Assert.Equal(0, engine.Stats.KvBlocksUsed);
        Assert.Equal(0, engine.Stats.Speculation!.DraftKvBlocksUsed);
    }

    [Theory]
    [InlineData("ggml-vocab-llama-spm.gguf", "tokens but the target")]
    [InlineData("tinyllamas-stories-260k-f32.gguf", "' in the target")]
    public void Start_DraftModelWithAnotherVocabulary_ClearError(string vocabulary, string expected)
    {
        // A small random-weight llama over another vocabulary (or the same one with a token renamed).
        var path = Path.Combine(Path.GetTempPath(), $"strata-draft-vocab-{Guid.NewGuid():N}.gguf");
        try
        {
            new SyntheticModelWriter
            {
                Architecture = "llama", Shape = SyntheticShape.Parse("64,1,2,2,128", 256), WeightType = TensorType.F32,
                VocabularyFile = SharedData.Model(vocabulary), Seed = 3,
            }.Write(path);
            if (vocabulary.StartsWith("tinyllamas", StringComparison.Ordinal))
                RenameToken(path);
            var speculation = Options(SpeculativeMethod.Draft).Speculation! with { DraftModelPath = path };

            var error = Assert.Throws<ArgumentException>(() => fixture.Start(Options(null) with { Speculation = speculation }));

            Assert.Contains("vocabulary", error.Message);
            Assert.Contains(expected, error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Changes the first letter of a word token's text in the file (a GGUF string: its u64 length, then its bytes).</summary>
    private void RenameToken(string path)
    {
        var tokenizer = fixture.Model.Tokenizer;
        var id = Enumerable.Range(100, tokenizer.VocabSize - 100).First(i => tokenizer.TokenText(i) is { Length: >= 4 } t && t.All(char.IsAsciiLetterLower));
        var text = System.Text.Encoding.UTF8.GetBytes(tokenizer.TokenText(id));
        var pattern = BitConverter.GetBytes((ulong)text.Length).Concat(text).ToArray();
        var bytes = File.ReadAllBytes(path);
        var at = bytes.AsSpan().IndexOf(pattern) + 8;
        bytes[at] = (byte)(bytes[at] == (byte)'q' ? 'x' : 'q');
        File.WriteAllBytes(path, bytes);
    }

    private async Task<List<Completion>> RunAlone(EngineOptions options, IEnumerable<GenerationRequest> requests)
    {
        using var engine = fixture.Start(options);
        var completions = new List<Completion>();
        foreach (var request in requests)
            completions.Add(await Completion.CollectAsync(engine.Submit(request), request.Choices));
        return completions;
    }

    private static void AssertAccepted(EngineStats stats)
    {
        var speculation = stats.Speculation!;
        Assert.True(speculation.AcceptedTokens > 0, $"no draft accepted out of {speculation.DraftTokens}");
        Assert.Equal(speculation.AcceptedTokens, speculation.AcceptedPerVerification.Select((count, accepted) => count * accepted).Sum());
        Assert.True(speculation.Method != "draft" || speculation.AcceptedTokens < speculation.DraftTokens, "the draft model should also have been wrong");
    }
}
