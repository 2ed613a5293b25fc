using System.Text.Json;

namespace Strata.Server.Tests;

/// <summary>The chat API on the TinyStories model, which has no chat template and so is served with ChatML.</summary>
public sealed class ChatTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private RunningServer Server => fixture.Server;

    [Fact]
    public async Task Chat_ModelWithoutTemplate_PromptIsChatMlAndReplyMatchesCompletion()
    {
        const string chatMl = "<|im_start|>system\nTell a story.<|im_end|>\n<|im_start|>user\nOnce upon a time<|im_end|>\n<|im_start|>assistant\n";
        var messages = new object[] { new { role = "system", content = "Tell a story." }, new { role = "user", content = "Once upon a time" } };

        var chat = await Server.PostOkAsync("/v1/chat/completions", new { messages, max_tokens = 24, temperature = 0 });
        var completion = await Server.PostOkAsync("/v1/completions", new { prompt = chatMl, max_tokens = 24, temperature = 0 });

        var expectedTokens = Server.Engine.Model.Tokenizer.Encode(chatMl, addSpecial: true, parseSpecial: true).Length;
        Assert.Equal(expectedTokens, chat.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal("chat.completion", chat.GetProperty("object").GetString());
        var message = chat.GetProperty("choices")[0].GetProperty("message");
        Assert.Equal("assistant", message.GetProperty("role").GetString());
        Assert.Equal(completion.GetProperty("choices")[0].GetProperty("text").GetString(), message.GetProperty("content").GetString());
    }

    [Fact]
    public async Task Chat_TextContentParts_JoinedWithNewlines()
    {
        var parts = new[] { new { type = "text", text = "Tim had" }, new { type = "text", text = "a red ball" } };

        var fromParts = await Server.PostOkAsync("/v1/chat/completions", new { messages = new[] { new { role = "user", content = (object)parts } }, max_tokens = 16, temperature = 0 });
        var fromString = await Server.PostOkAsync("/v1/chat/completions", new { messages = new[] { new { role = "user", content = "Tim had\na red ball" } }, max_tokens = 16, temperature = 0 });

        Assert.Equal(fromString.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), fromParts.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(Content(fromString), Content(fromParts));
    }

    [Fact]
    public async Task Chat_NoTokenLimit_RunsUntilTheContextIsFull()
    {
        await using var server = await RunningServer.StartAsync(RunningServer.SmallEngine with { MaxModelLength = 64 });

        var answer = await server.PostOkAsync("/v1/chat/completions", new { messages = new[] { new { role = "user", content = "Hi" } }, temperature = 0, ignore_eos = true });

        Assert.Equal("length", answer.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(64, answer.GetProperty("usage").GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task Chat_MaxCompletionTokens_WinsOverMaxTokens()
    {
        var answer = await Server.PostOkAsync("/v1/chat/completions", new { messages = new[] { new { role = "user", content = "Hi" } }, max_tokens = 9, max_completion_tokens = 3 });

        Assert.Equal(3, answer.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task Chat_Stream_OpensEachChoiceWithTheRoleAndEndsWithDone()
    {
        var body = new { messages = new[] { new { role = "user", content = "Hi" } }, max_tokens = 10, temperature = 0, n = 2, stream = true };

        using var response = await Server.PostAsync("/v1/chat/completions", body);
        var chunks = await Sse.ReadChunksAsync(response);
        var whole = await Server.PostOkAsync("/v1/chat/completions", body with { stream = false });

        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        for (var choice = 0; choice < 2; choice++)
        {
            var opening = chunks[choice].GetProperty("choices")[0];
            Assert.Equal(choice, opening.GetProperty("index").GetInt32());
            Assert.Equal("assistant", opening.GetProperty("delta").GetProperty("role").GetString());
        }
        var finishes = chunks.SelectMany(c => c.GetProperty("choices").EnumerateArray())
            .Where(c => c.GetProperty("finish_reason").ValueKind == JsonValueKind.String).ToList();
        Assert.Equal(2, finishes.Count);
        Assert.Equal(Enumerable.Repeat(Content(whole), 2), Sse.JoinChoices(chunks, 2, Sse.ChatContent));
    }

    private static string? Content(JsonElement answer) => answer.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
}
