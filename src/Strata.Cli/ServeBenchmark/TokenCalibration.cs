namespace Strata.Cli.ServeBenchmark;

/// <summary>
/// Measures how the server tokenizes <see cref="PromptWords"/> from the <c>usage.prompt_tokens</c> of one-token
/// requests: the whole word list in chunks gives the mean cost of a word exactly (the cost of a random prompt's
/// words, on average), and one chunk sent whole and in halves gives the fixed cost per prompt (BOS, chat template),
/// which the halves pay twice. These requests are also the run's smoke test: if they fail, the benchmark stops
/// before it starts.
/// </summary>
internal static class TokenCalibration
{
    // Small enough for a model with a few hundred tokens of context even when every word costs several tokens.
    private const int ChunkWords = 50;

    /// <returns>The estimate, or null when the server reports no prompt tokens to measure with.</returns>
    public static Task<TokenEstimate?> MeasureAsync(OpenAiClient client, RequestSettings settings, CancellationToken cancellation) =>
        MeasureAsync(words => PromptTokensAsync(client, settings, words, cancellation));

    /// <summary>The same measurement from any count of a prompt's tokens: the server's, or its tokenizer's (a simulation's).</summary>
    public static async Task<TokenEstimate?> MeasureAsync(Func<string[], Task<int>> promptTokens)
    {
        var chunks = PromptWords.All.Chunk(ChunkWords).ToArray();
        var chunkTokens = new int[chunks.Length];
        for (var i = 0; i < chunks.Length; i++)
            chunkTokens[i] = await promptTokens(chunks[i]);
        if (chunkTokens.Any(tokens => tokens <= 0))
            return null;
        var half = chunks[0].Length / 2;
        var firstHalf = await promptTokens(chunks[0][..half]);
        var secondHalf = await promptTokens(chunks[0][half..]);
        var overhead = Math.Max(0, firstHalf + secondHalf - chunkTokens[0]);
        var perWord = (double)(chunkTokens.Sum() - chunks.Length * overhead) / PromptWords.All.Count;
        return perWord > 0 ? new TokenEstimate(perWord, overhead) : null;
    }

    private static async Task<int> PromptTokensAsync(OpenAiClient client, RequestSettings settings, string[] words, CancellationToken cancellation)
    {
        // The fallback prompt length is 0 so that a server without usage reads as "unknown", not as a measurement.
        var probe = new BenchmarkRequest(null, string.Join(' ', words), TargetPromptTokens: 0, MaxTokens: 1);
        var record = await client.StreamAsync(settings, probe, cancellation);
        if (record.Error is { } error)
            throw new InvalidOperationException($"test request to {client.UrlOf(settings.Endpoint)} failed: {error}");
        return record.PromptTokens;
    }
}
