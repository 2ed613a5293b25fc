using System.ClientModel;
using System.Text;
using OpenAI;
using OpenAI.Chat;
using Strata.TestSupport;

namespace Strata.Server.Tests;

/// <summary>
/// The chat API through the official OpenAI .NET client, on a model whose template renders a one-message chat as
/// exactly the completion prompt, so greedy chat must reproduce llama.cpp's golden completion.
/// </summary>
public sealed class ChatClientTests(TemplatedServerFixture fixture) : IClassFixture<TemplatedServerFixture>
{
    private static readonly GoldenGreedy.Run Golden = GoldenGreedy.Read("stories260k-f32.greedy.txt")[0];

    private ChatClient Client => new(fixture.Server.ModelName, new ApiKeyCredential("unused"),
        new OpenAIClientOptions { Endpoint = new Uri(fixture.Server.BaseAddress, "v1") });

    [Fact]
    public async Task CompleteChat_Greedy_EqualsGoldenTextWithOneBos()
    {
        ChatCompletion completion = await Client.CompleteChatAsync([new UserChatMessage(Golden.Prompt)],
            new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 64 });

        Assert.Equal(Golden.Text, completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Length, completion.FinishReason);
        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.StartsWith("chatcmpl-", completion.Id);
        // The template writes <s> itself and the tokenizer adds BOS: the prompt must still be the golden 5 tokens.
        Assert.Equal(Golden.PromptTokens.Length, completion.Usage.InputTokenCount);
        Assert.Equal(64, completion.Usage.OutputTokenCount);
        Assert.Equal(Golden.PromptTokens.Length + 64, completion.Usage.TotalTokenCount);
        Assert.Equal(0, completion.Usage.InputTokenDetails.CachedTokenCount);
    }

    [Fact]
    public async Task CompleteChatStreaming_Greedy_JoinsToGoldenTextWithUsage()
    {
        var (text, finish, usage) = await StreamAsync(new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 64 });

        Assert.Equal(Golden.Text, text);
        Assert.Equal(ChatFinishReason.Length, finish);
        Assert.NotNull(usage);
        Assert.Equal(64, usage.OutputTokenCount);
        Assert.Equal(Golden.PromptTokens.Length, usage.InputTokenCount);
    }

    [Fact]
    public async Task CompleteChat_StopSequences_CutBeforeTheFirst()
    {
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 64, StopSequences = { "park", "girl" } };

        ChatCompletion completion = await Client.CompleteChatAsync([new UserChatMessage(Golden.Prompt)], options);
        var streamed = await StreamAsync(new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 64, StopSequences = { "park", "girl" } });

        Assert.Equal(", there was a little ", completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(", there was a little ", streamed.Text);
        Assert.Equal(ChatFinishReason.Stop, streamed.Finish);
    }

    [Fact]
    public async Task CompleteChat_SameSeed_SameReplyAndOtherSeedDiffers()
    {
        ChatCompletionOptions Options(long seed) => new() { Temperature = 1.2f, MaxOutputTokenCount = 32, Seed = seed };

        ChatCompletion first = await Client.CompleteChatAsync([new UserChatMessage(Golden.Prompt)], Options(42));
        var again = await StreamAsync(Options(42));
        ChatCompletion other = await Client.CompleteChatAsync([new UserChatMessage(Golden.Prompt)], Options(43));

        Assert.Equal(first.Content[0].Text, again.Text);
        Assert.NotEqual(first.Content[0].Text, other.Content[0].Text);
    }

    [Fact]
    public async Task CompleteChat_Logprobs_ReportEachTokenWithAlternatives()
    {
        ChatCompletion completion = await Client.CompleteChatAsync([new UserChatMessage(Golden.Prompt)],
            new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 8, IncludeLogProbabilities = true, TopLogProbabilityCount = 2 });

        var tokens = completion.ContentTokenLogProbabilities;
        Assert.Equal(8, tokens.Count);
        Assert.Equal(completion.Content[0].Text, string.Concat(tokens.Select(t => t.Token)));
        Assert.All(tokens, t =>
        {
            Assert.Equal(2, t.TopLogProbabilities.Count);
            Assert.Equal(t.Token, t.TopLogProbabilities[0].Token);
            Assert.Equal(t.Token, Encoding.UTF8.GetString(t.Utf8Bytes!.Value.Span));
        });
    }

    private async Task<(string Text, ChatFinishReason? Finish, ChatTokenUsage? Usage)> StreamAsync(ChatCompletionOptions options)
    {
        var text = new StringBuilder();
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        await foreach (var update in Client.CompleteChatStreamingAsync([new UserChatMessage(Golden.Prompt)], options))
        {
            foreach (var part in update.ContentUpdate)
                text.Append(part.Text);
            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }
        return (text.ToString(), finish, usage);
    }
}
