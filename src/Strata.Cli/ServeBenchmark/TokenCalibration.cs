namespace Strata.Cli.ServeBenchmark;

/// <summary>
/// Measures how the server tokenizes <see cref="PromptWords"/>: two one-token requests with short and long prompts,
/// whose reported <c>usage.prompt_tokens</c> give the cost per word (the slope) and per prompt (the intercept).
/// They are also the run's smoke test: if they fail, the benchmark stops before it starts.
/// </summary>
internal static class TokenCalibration
{
    private const int ShortWords = 8;
    private const int LongWords = 264;

    /// <returns>The estimate, or null when the server reports no prompt tokens to measure with.</returns>
    public static async Task<TokenEstimate?> MeasureAsync(OpenAiClient client, RequestSettings settings, Random random, CancellationToken cancellation)
    {
        var shortPrompt = await PromptTokensAsync(client, settings, ShortWords, random, cancellation);
        var longPrompt = await PromptTokensAsync(client, settings, LongWords, random, cancellation);
        if (shortPrompt <= 0 || longPrompt <= shortPrompt)
            return null;
        var perWord = (double)(longPrompt - shortPrompt) / (LongWords - ShortWords);
        return new TokenEstimate(perWord, Math.Max(0, shortPrompt - perWord * ShortWords));
    }

    private static async Task<int> PromptTokensAsync(OpenAiClient client, RequestSettings settings, int words, Random random, CancellationToken cancellation)
    {
        // The fallback prompt length is 0 so that a server without usage reads as "unknown", not as a measurement.
        var probe = new BenchmarkRequest(null, PromptWords.Text(words, random), TargetPromptTokens: 0, MaxTokens: 1);
        var record = await client.StreamAsync(settings, probe, cancellation);
        if (record.Error is { } error)
            throw new InvalidOperationException($"test request to {client.UrlOf(settings.Endpoint)} failed: {error}");
        return record.PromptTokens;
    }
}
