namespace Strata.Cli.ServeBenchmark;

/// <summary>
/// How many tokens the server makes of the prompt words: a cost per word plus a fixed overhead per prompt (BOS, the
/// chat template). Measured once per run by <see cref="TokenCalibration"/> so that target lengths hold for any tokenizer.
/// </summary>
internal sealed record TokenEstimate(double TokensPerWord, double OverheadTokens)
{
    /// <summary>The guess when the server reports no usage: one token per word, no overhead.</summary>
    public static TokenEstimate OneTokenPerWord { get; } = new(1, 0);

    /// <summary>Words for a piece of text that should come to about <paramref name="tokens"/> tokens.</summary>
    public int Words(int tokens) => Math.Max(1, (int)Math.Round(tokens / TokensPerWord));

    /// <summary>Words for a whole prompt of about <paramref name="tokens"/> tokens, the per-prompt overhead included.</summary>
    public int WordsForPrompt(int tokens) => Words((int)Math.Round(tokens - OverheadTokens));
}
