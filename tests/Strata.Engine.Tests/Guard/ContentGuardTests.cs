using Strata.Engine.Guard;
using Strata.Engine.Requests;
using Strata.Engine.Sampling;
using Strata.Engine.Tests.Engine;

namespace Strata.Engine.Tests.Guard;

/// <summary>
/// The content guard on TinyStories' greedy story (", there was a little girl named Lily. She loved to play outside
/// in the park. …"): banned text never reaches any streamed chunk, whether it spans tokens or meets a stop string,
/// and the classifier stops a sequence within its window.
/// </summary>
public sealed class ContentGuardTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    [Theory]
    [InlineData("little girl")]
    [InlineData("LILY. she")]
    [InlineData("e park")]
    public async Task Generate_BannedPhraseAcrossTokens_NeverStreamedAndContentFilter(string phrase)
    {
        var (chunks, reason) = await RunAsync($$"""{"banned_phrases": ["{{phrase}}"]}""", SamplingParams.Greedy with { MaxTokens = 64 });

        Assert.Equal(FinishReason.ContentFilter, reason);
        AssertNeverStreamed(chunks, phrase);
        Assert.NotEmpty(string.Concat(chunks));
    }

    [Fact]
    public async Task Generate_BannedPhraseCutByAStopString_HeldPrefixReleasedAndNoFilter()
    {
        // "in the park" would be banned, but the stop string ends the output at "park": "in the " was held back
        // as a possible start of the phrase and is released when the sequence stops.
        var (chunks, reason) = await RunAsync("""{"banned_phrases": ["in the park"]}""", SamplingParams.Greedy with { MaxTokens = 64, Stop = ["park"] });

        Assert.Equal(FinishReason.Stop, reason);
        Assert.EndsWith("play outside in the ", string.Concat(chunks), StringComparison.Ordinal);
        AssertNeverStreamed(chunks, "park");
    }

    [Fact]
    public async Task Generate_BannedPhraseBeforeAStopString_FilteredFirst()
    {
        var (chunks, reason) = await RunAsync("""{"banned_phrases": ["Lily"]}""", SamplingParams.Greedy with { MaxTokens = 64, Stop = ["park"] });

        Assert.Equal(FinishReason.ContentFilter, reason);
        AssertNeverStreamed(chunks, "Lily");
    }

    [Fact]
    public async Task Generate_BannedPattern_NeverStreamed()
    {
        var (chunks, reason) = await RunAsync("""{"banned_patterns": ["n[a-z]+d\\s+L"]}""", SamplingParams.Greedy with { MaxTokens = 64 });

        Assert.Equal(FinishReason.ContentFilter, reason);
        Assert.DoesNotMatch("n[a-z]+d\\s+L", string.Concat(chunks));
    }

    [Fact]
    public async Task Generate_PatternNeedingBacktracking_StillEnforced()
    {
        // A back-reference cannot run in linear time, so this pattern falls back to the backtracking engine.
        var (chunks, reason) = await RunAsync("""{"banned_patterns": ["(t)\\1le"]}""", SamplingParams.Greedy with { MaxTokens = 64 });

        Assert.Equal(FinishReason.ContentFilter, reason);
        AssertNeverStreamed(chunks, "ttle");
    }

    [Fact]
    public async Task Generate_OptInCategory_AppliesOnlyWhenRequested()
    {
        const string policy = """{"banned_phrases": [{"value": "little girl", "category": "kids"}], "opt_in_categories": ["kids"]}""";

        var (_, without) = await RunAsync(policy, SamplingParams.Greedy with { MaxTokens = 32 });
        var (chunks, with) = await RunAsync(policy, SamplingParams.Greedy with { MaxTokens = 32 }, ["kids"]);

        Assert.Equal(FinishReason.Length, without);
        Assert.Equal(FinishReason.ContentFilter, with);
        AssertNeverStreamed(chunks, "little girl");
    }

    [Fact]
    public async Task Generate_BannedTokenSequence_IsNeverSampled()
    {
        var banned = fixture.Model.Tokenizer.Encode(" little girl", addSpecial: false, parseSpecial: false);
        using var guard = new ContentGuard(GuardPolicy.Parse("""{"banned_token_sequences": ["little girl"]}"""), fixture.Model.Tokenizer);
        using var engine = InferenceEngine.Start(fixture.Model, new EngineOptions { KvCacheBytes = 64L << 20, Threads = 2, MaxBatchedTokens = 256, Guard = guard });

        var result = await Completion.CollectAsync(engine.Submit(EngineFixture.Greedy(fixture.Tokens("Once upon a time"), 48)));
        var tokens = result.Tokens[0];

        Assert.True(banned.Length > 1);
        Assert.DoesNotContain(Enumerable.Range(0, tokens.Length - banned.Length + 1), i => tokens.AsSpan(i, banned.Length).SequenceEqual(banned));
        Assert.StartsWith(", there was a little", result.Texts[0], StringComparison.Ordinal);
        Assert.Equal(FinishReason.Length, result.Reasons[0]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(8)]
    public async Task Generate_ClassifierFlagsText_StopsWithinItsWindowAndNothingFlaggedIsSent(int window)
    {
        var policy = """
            {"classifier": {"type": "decision_tree", "every_tokens": WINDOW, "threshold": 0.5, "category": "names",
             "features": ["Lily"], "tree": {"feature": 0, "threshold": 0.5, "left": {"score": 0.1}, "right": {"score": 0.9}}}}
            """.Replace("WINDOW", window.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        using var guard = new ContentGuard(GuardPolicy.Parse(policy), fixture.Model.Tokenizer);
        using var engine = InferenceEngine.Start(fixture.Model, new EngineOptions { KvCacheBytes = 64L << 20, Threads = 2, MaxBatchedTokens = 256, Guard = guard });
        var unguarded = GoldenPrefixTokens("Lily");

        var result = await Completion.CollectAsync(engine.Submit(EngineFixture.Greedy(fixture.Tokens("Once upon a time"), 64)));

        Assert.Equal(FinishReason.ContentFilter, result.Reasons[0]);
        Assert.DoesNotContain("Lily", result.Texts[0], StringComparison.Ordinal);
        // The token that completes "Lily" is number `unguarded`; the window it falls in is scored when it is full and
        // its verdict must be back before the next window closes.
        Assert.InRange(result.Tokens[0].Length, unguarded, unguarded + 2 * window);
        Assert.True(guard.Stats.Classifications > 0);
        Assert.Equal(1, guard.Stats.Violations[("classifier", "names")]);
    }

    [Fact]
    public async Task Generate_CleanText_ClassifierReleasesEverything()
    {
        const string policy = """
            {"classifier": {"type": "decision_tree", "every_tokens": 4, "features": ["dragon"],
             "tree": {"feature": 0, "threshold": 0.5, "left": {"score": 0}, "right": {"score": 1}}}}
            """;
        var (chunks, reason) = await RunAsync(policy, SamplingParams.Greedy with { MaxTokens = 30 });
        using var engine = fixture.Start();
        var plain = await Completion.CollectAsync(engine.Submit(EngineFixture.Greedy(fixture.Tokens("Once upon a time"), 30)));

        Assert.Equal(FinishReason.Length, reason);
        Assert.Equal(plain.Texts[0], string.Concat(chunks));
    }

    [Theory]
    [InlineData("{\"banned_phrases\": [\"\"]}", "non-empty")]
    [InlineData("{\"classifier\": {\"type\": \"svm\"}}", "unknown classifier type 'svm'")]
    [InlineData("{\"banned_patterns\": [\"(\"]}", "invalid guard policy")]
    [InlineData("not json", "invalid guard policy")]
    public void Parse_InvalidPolicy_ThrowsFormatException(string json, string reason)
    {
        var error = Assert.Throws<FormatException>(() => GuardPolicy.Parse(json));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    /// <summary>Every streamed piece of text (token texts and the final text), in order, and why it finished.</summary>
    private async Task<(List<string> Chunks, FinishReason Reason)> RunAsync(string policy, SamplingParams sampling, string[]? categories = null)
    {
        using var guard = new ContentGuard(GuardPolicy.Parse(policy), fixture.Model.Tokenizer);
        using var engine = InferenceEngine.Start(fixture.Model, new EngineOptions { KvCacheBytes = 64L << 20, Threads = 2, MaxBatchedTokens = 256, Guard = guard });
        var request = new GenerationRequest { PromptTokens = fixture.Tokens("Once upon a time"), Sampling = sampling, GuardCategories = categories ?? [] };
        var chunks = new List<string>();
        var reason = FinishReason.Error;
        await foreach (var e in engine.Submit(request).Events.ReadAllAsync())
        {
            switch (e)
            {
                case TokenEvent token:
                    chunks.Add(token.Text);
                    break;
                case FinishEvent finish:
                    chunks.Add(finish.Text);
                    reason = finish.Reason;
                    break;
            }
        }
        return (chunks, reason);
    }

    private static void AssertNeverStreamed(List<string> chunks, string phrase)
    {
        Assert.All(chunks, chunk => Assert.DoesNotContain(phrase, chunk, StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(phrase, string.Concat(chunks), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>How many greedy tokens it takes the unguarded model until its text contains <paramref name="text"/>.</summary>
    private int GoldenPrefixTokens(string text)
    {
        using var engine = fixture.Start();
        var result = Completion.CollectAsync(engine.Submit(EngineFixture.Greedy(fixture.Tokens("Once upon a time"), 64))).GetAwaiter().GetResult();
        var tokens = result.Tokens[0];
        for (var n = 1; n <= tokens.Length; n++)
        {
            if (fixture.Model.Tokenizer.Decode(tokens.AsSpan(0, n)).Contains(text, StringComparison.Ordinal))
                return n;
        }
        throw new InvalidOperationException($"the golden story never says {text}");
    }
}
