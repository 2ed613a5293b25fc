using System.ClientModel;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenAI;
using OpenAI.Chat;

namespace Strata.Server.Tests;

/// <summary>
/// A multi-turn conversation with tools, an assistant tool call and a tool result renders exactly as Python Jinja2
/// renders the real templates (Data/tool_conversations.expected.json, written by Data/render_tool_conversations.py),
/// and the OpenAI client's own encoding of that conversation reaches the model as the same prompt.
/// </summary>
public sealed class ToolConversationRenderingTests
{
    private static readonly JsonObject Conversation = Load("tool_conversations.json");
    private static readonly JsonObject Expected = Load("tool_conversations.expected.json");

    [Theory]
    [InlineData("NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use")]
    [InlineData("NousResearch-Hermes-3-Llama-3.1-8B-tool_use")]
    [InlineData("Qwen-Qwen2.5-7B-Instruct")]
    [InlineData("meta-llama-Llama-3.1-8B-Instruct")]
    public async Task ApplyTemplate_ToolConversation_EqualsJinja2(string template)
    {
        await using var server = await RunningServer.StartAsync(modelPath: ModelFiles.StoriesWithCorpusTemplate(template));

        var answer = await server.PostRawAsync("/apply-template", Conversation.ToJsonString());
        var body = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!;

        Assert.Equal(Expected[template]!.GetValue<string>(), body["prompt"]!.GetValue<string>());
    }

    [Fact]
    public async Task CompleteChat_ToolConversationFromTheClient_PromptIsTheJinja2Rendering()
    {
        const string template = "NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use";
        await using var server = await RunningServer.StartAsync(modelPath: ModelFiles.StoriesWithCorpusTemplate(template));
        var client = new ChatClient(server.ModelName, new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(server.BaseAddress, "v1") });
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 4 };
        foreach (var tool in Conversation["tools"]!.AsArray())
        {
            var function = tool!["function"]!;
            options.Tools.Add(ChatTool.CreateFunctionTool(function["name"]!.GetValue<string>(), function["description"]!.GetValue<string>(),
                BinaryData.FromString(function["parameters"]!.ToJsonString())));
        }
        ChatMessage[] messages =
        [
            new SystemChatMessage("You are a helpful assistant."),
            new UserChatMessage("What is the weather in Paris, and what is 2+3?"),
            new AssistantChatMessage([ChatToolCall.CreateFunctionToolCall("call_1", "get_weather",
                BinaryData.FromString("""{"city": "Paris", "unit": "celsius"}"""))]),
            new ToolChatMessage("call_1", """{"temperature": 21, "sky": "clear — ☀"}"""),
            new AssistantChatMessage("It is 21 °C and clear in Paris."),
            new UserChatMessage("Thanks. And 2+3?"),
        ];

        ChatCompletion completion = await client.CompleteChatAsync(messages, options);
        // The template writes <s> itself; the server drops it and lets the tokenizer add the one BOS.
        var expected = Expected[template]!.GetValue<string>();
        var tokens = await server.PostOkAsync("/tokenize", new { content = expected["<s>".Length..] });

        Assert.StartsWith("<s>", expected, StringComparison.Ordinal);
        Assert.Equal(tokens.GetProperty("count").GetInt32(), completion.Usage.InputTokenCount);
    }

    private static JsonObject Load(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Data", name)))!.AsObject();
}
