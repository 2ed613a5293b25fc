using Strata.Server.Prompts;
using Strata.Server.Protocol;

namespace Strata.Server.Tests;

/// <summary>Prompt tokenization costs what the context allows, not what the client sent, and never holds up short prompts.</summary>
public sealed class PromptTokenizerTests
{
    private const int Context = 512;

    [Fact]
    public async Task EncodeAsync_PromptFarBeyondContext_RefusedAfterTokenizingABoundedPrefix()
    {
        var tokenized = 0L;
        var tokenizer = new PromptTokenizer(text => { tokenized += text.Length; return FourCharsPerToken(text); }, Context);
        var prompt = string.Concat(Enumerable.Repeat("Once upon a time. ", 300_000));

        var refusal = await Assert.ThrowsAsync<ApiException>(async () => await tokenizer.EncodeAsync(prompt, "prompt", default));

        Assert.Equal("prompt", refusal.Error.Param);
        Assert.Equal("context_length_exceeded", refusal.Error.Code);
        Assert.InRange(tokenized, 1, 16 * Context * 4);
    }

    [Fact]
    public async Task EncodeAsync_LongPromptWithinTwiceTheContext_TokenizedWhole()
    {
        var tokenizer = new PromptTokenizer(FourCharsPerToken, Context);
        var prompt = new string('a', 4 * (2 * Context - 10) + 3);

        var tokens = await tokenizer.EncodeAsync(prompt, "prompt", default);

        Assert.Equal(FourCharsPerToken(prompt), tokens);
    }

    [Fact]
    public async Task EncodeAsync_WhileLongPromptsTokenize_ShortOnesAnswerAndLongOnesTakeTurns()
    {
        using var release = new ManualResetEventSlim();
        using var entered = new SemaphoreSlim(0);
        var tokenizer = new PromptTokenizer(text =>
        {
            if (text.Length > PromptTokenizer.InlineChars)
            {
                entered.Release();
                release.Wait();
            }
            return FourCharsPerToken(text);
        }, Context);
        var longPrompt = new string('a', PromptTokenizer.InlineChars + 1);

        var first = tokenizer.EncodeAsync(longPrompt, "prompt", default).AsTask();
        Assert.True(await entered.WaitAsync(TimeSpan.FromSeconds(10)));
        var second = tokenizer.EncodeAsync(longPrompt, "prompt", default).AsTask();
        var shortOne = await tokenizer.EncodeAsync("Once upon a time", "prompt", default);
        await Task.Delay(50);

        Assert.Equal(FourCharsPerToken("Once upon a time"), shortOne);
        Assert.False(first.IsCompleted);
        Assert.Equal(0, entered.CurrentCount);
        Assert.False(second.IsCompleted);
        release.Set();
        Assert.Equal(FourCharsPerToken(longPrompt), await first);
        Assert.Equal(FourCharsPerToken(longPrompt), await second);
    }

    [Fact]
    public async Task EncodeAsync_ClientGoneWhileWaitingForTheLane_Cancelled()
    {
        using var release = new ManualResetEventSlim();
        using var entered = new SemaphoreSlim(0);
        var calls = 0;
        var tokenizer = new PromptTokenizer(text =>
        {
            Interlocked.Increment(ref calls);
            entered.Release();
            release.Wait();
            return FourCharsPerToken(text);
        }, Context);
        var longPrompt = new string('a', PromptTokenizer.InlineChars + 1);
        var first = tokenizer.EncodeAsync(longPrompt, "prompt", default).AsTask();
        Assert.True(await entered.WaitAsync(TimeSpan.FromSeconds(10)));
        using var gone = new CancellationTokenSource();

        var waiting = tokenizer.EncodeAsync(longPrompt, "prompt", gone.Token).AsTask();
        await gone.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        release.Set();
        await first;
        Assert.Equal(1, calls);
    }

    private static int[] FourCharsPerToken(string text) => Enumerable.Range(0, (text.Length + 3) / 4).ToArray();
}
