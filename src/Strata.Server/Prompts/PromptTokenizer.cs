using Strata.Server.Metrics;
using Strata.Server.Protocol;

namespace Strata.Server.Prompts;

/// <summary>
/// Tokenizes prompt text so that no prompt costs more than the context it has to fit into. A short text is tokenized
/// at once. A long one waits its turn for one of a few lanes off the request's thread, so a few huge prompts cannot
/// take every thread from the small ones, and is tokenized a growing prefix at a time: as soon as a
/// prefix alone has more than twice the context's tokens, the prompt is refused without reading the rest.
/// </summary>
/// <param name="encode">Tokenizes a whole prompt text (BOS included, special tokens parsed).</param>
/// <param name="contextLength">The longest sequence the engine takes, prompt and completion.</param>
/// <param name="lanes">Long prompts tokenized at once (the server uses half the cores, so the rest keep serving).</param>
/// <param name="metrics">Counts the prompts tokenized, when given.</param>
internal sealed class PromptTokenizer(Func<string, int[]> encode, int contextLength, int lanes, ServerMetrics? metrics = null)
{
    /// <summary>Texts up to this many characters are tokenized at once, on the request's thread: it takes well under a millisecond.</summary>
    public const int InlineChars = 4096;

    private readonly SemaphoreSlim _lanes = new(lanes);

    /// <summary>A prompt's tokens (BOS included, special tokens parsed), refused when far beyond the context.</summary>
    /// <param name="param">The request field the text came from, for the error that refuses it.</param>
    public ValueTask<int[]> EncodeAsync(string text, string param, CancellationToken cancellation)
    {
        metrics?.PromptTokenized();
        return RunAsync(text, prompt => EncodeBounded(prompt, param, cancellation), cancellation);
    }

    /// <summary>Other tokenizer work on <paramref name="text"/> (the <c>/tokenize</c> endpoint's), at once or on a lane as its length asks.</summary>
    public async ValueTask<T> RunAsync<T>(string text, Func<string, T> work, CancellationToken cancellation)
    {
        if (text.Length <= InlineChars)
            return work(text);
        await _lanes.WaitAsync(cancellation);
        try
        {
            return await Task.Run(() => work(text), cancellation);
        }
        finally
        {
            _lanes.Release();
        }
    }

    private int[] EncodeBounded(string text, string param, CancellationToken cancellation)
    {
        var farBeyond = 2L * contextLength;
        // Tokens rarely take less than a character each, so the first prefix usually settles a prompt that is far too
        // long; a text less than twice a prefix's length is tokenized whole, which costs no more than the next prefix.
        for (var length = Math.Max(InlineChars, farBeyond); 2 * length < text.Length; length *= 2)
        {
            cancellation.ThrowIfCancellationRequested();
            var cut = (int)length;
            if (char.IsHighSurrogate(text[cut - 1]))
                cut--;
            var prefixTokens = encode(text[..cut]).Length;
            if (prefixTokens > farBeyond)
            {
                throw ApiException.BadRequest(
                    $"This model's maximum context length is {contextLength} tokens. However, the first {cut} characters of your prompt alone have {prefixTokens} tokens. Please reduce the length of the prompt.",
                    param, "context_length_exceeded");
            }
        }
        cancellation.ThrowIfCancellationRequested();
        return encode(text);
    }
}
