using Strata.Server.Prompts;
using Strata.Server.Protocol;

namespace Strata.Server.Tests;

/// <summary>Prompt tokenization costs what the context allows, not what the client sent, and never holds up short prompts.</summary>
public sealed class PromptTokenizerTests
{
    private const int Context = 512;
    private const int Lanes = 1;

    [Fact]
    public async Task EncodeAsync_PromptFarBeyondContext_RefusedAfterTokenizingABoundedPrefix()
    {
        var tokenized = 0L;
        var tokenizer = new PromptTokenizer(text => { tokenized += text.Length; return FourCharsPerToken(text); }, Context, Lanes);
        var prompt = string.Concat(Enumerable.Repeat("Once upon a time. ", 300_000));

        var refusal = await Assert.ThrowsAsync<ApiException>(async () => await tokenizer.EncodeAsync(prompt, "prompt", default));

        Assert.Equal("prompt", refusal.Error.Param);
        Assert.Equal("context_length_exceeded", refusal.Error.Code);
        Assert.InRange(tokenized, 1, 16 * Context * 4);
    }

    [Fact]
    public async Task EncodeAsync_LongPromptWithinTwiceTheContext_TokenizedWhole()
    {
        var tokenizer = new PromptTokenizer(FourCharsPerToken, Context, Lanes);
        var prompt = new string('a', 4 * (2 * Context - 10) + 3);

        var tokens = await tokenizer.EncodeAsync(prompt, "prompt", default);

        Assert.Equal(FourCharsPerToken(prompt), tokens);
    }

    private static readonly string LongPrompt = new('a', PromptTokenizer.InlineChars + 1);

    [Fact]
    public async Task EncodeAsync_WhileLongPromptsTokenize_ShortOnesAnswerAndLongOnesTakeTurns()
    {
        using var gate = new Gate();
        var tokenizer = new PromptTokenizer(gate.Encode, Context, Lanes);

        var first = tokenizer.EncodeAsync(LongPrompt, "prompt", default).AsTask();
        Assert.True(await gate.Entered.WaitAsync(TimeSpan.FromSeconds(10)));
        var second = tokenizer.EncodeAsync(LongPrompt, "prompt", default).AsTask();
        var shortOne = await tokenizer.EncodeAsync("Once upon a time", "prompt", default);
        await Task.Delay(50);

        Assert.Equal(FourCharsPerToken("Once upon a time"), shortOne);
        Assert.False(first.IsCompleted);
        Assert.Equal(0, gate.Entered.CurrentCount);
        Assert.False(second.IsCompleted);
        gate.Open();
        Assert.Equal(FourCharsPerToken(LongPrompt), await first);
        Assert.Equal(FourCharsPerToken(LongPrompt), await second);
    }

    [Fact]
    public async Task EncodeAsync_ClientGoneWhileWaitingForTheLane_Cancelled()
    {
        using var gate = new Gate();
        var tokenizer = new PromptTokenizer(gate.Encode, Context, Lanes);
        var first = tokenizer.EncodeAsync(LongPrompt, "prompt", default).AsTask();
        Assert.True(await gate.Entered.WaitAsync(TimeSpan.FromSeconds(10)));
        using var gone = new CancellationTokenSource();

        var waiting = tokenizer.EncodeAsync(LongPrompt, "prompt", gone.Token).AsTask();
        await gone.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        gate.Open();
        await first;
        Assert.Equal(1, gate.LongTexts);
    }

    private static int[] FourCharsPerToken(string text) => Enumerable.Range(0, (text.Length + 3) / 4).ToArray();

    /// <summary>An encoder that holds every long text until opened, and says when one arrives.</summary>
    private sealed class Gate : IDisposable
    {
        private readonly ManualResetEventSlim _open = new();
        private int _longTexts;

        public SemaphoreSlim Entered { get; } = new(0);

        public int LongTexts => Volatile.Read(ref _longTexts);

        public int[] Encode(string text)
        {
            if (text.Length > PromptTokenizer.InlineChars)
            {
                Interlocked.Increment(ref _longTexts);
                Entered.Release();
                _open.Wait();
            }
            return FourCharsPerToken(text);
        }

        public void Open() => _open.Set();

        public void Dispose()
        {
            _open.Dispose();
            Entered.Dispose();
        }
    }
}
