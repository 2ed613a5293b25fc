using System.ClientModel;
using System.Text;
using System.Text.Json;
using Json.Schema;
using OpenAI;
using OpenAI.Chat;

namespace Strata.Server.Tests;

/// <summary>
/// Tool calls through the official OpenAI .NET client on a model with Hermes 2 Pro's template: a named or required
/// tool choice yields calls whose arguments validate against the function's schema (checked with JsonSchema.Net),
/// and streamed tool call deltas reassemble to the same calls.
/// </summary>
public sealed class ToolCallTests(ToolServerFixture fixture) : IClassFixture<ToolServerFixture>
{
    private const string WeatherSchema = """
        {"type": "object", "properties": {"city": {"type": "string", "maxLength": 20}, "unit": {"enum": ["celsius", "fahrenheit"]}},
         "required": ["city", "unit"], "additionalProperties": false}
        """;

    private const string AddSchema = """
        {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}, "required": ["a", "b"], "additionalProperties": false}
        """;

    private static readonly ChatTool Weather = ChatTool.CreateFunctionTool("get_weather", "The weather in a city now.", BinaryData.FromString(WeatherSchema));
    private static readonly ChatTool Add = ChatTool.CreateFunctionTool("add", "Adds two integers.", BinaryData.FromString(AddSchema));

    private ChatClient Client => new(fixture.Server.ModelName, new ApiKeyCredential("unused"),
        new OpenAIClientOptions { Endpoint = new Uri(fixture.Server.BaseAddress, "v1") });

    [Fact]
    public async Task CompleteChat_NamedToolChoice_CallsItWithValidArguments()
    {
        var options = Options(seed: 3);
        options.ToolChoice = ChatToolChoice.CreateFunctionChoice("add");

        ChatCompletion completion = await Client.CompleteChatAsync([new UserChatMessage("Add two and three.")], options);

        Assert.Equal(ChatFinishReason.ToolCalls, completion.FinishReason);
        var call = Assert.Single(completion.ToolCalls);
        Assert.Equal("add", call.FunctionName);
        Assert.StartsWith("call_", call.Id);
        AssertValid(AddSchema, call.FunctionArguments.ToString());
        Assert.Empty(completion.Content);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task CompleteChat_RequiredToolChoice_EveryCallValidates(int seed)
    {
        var options = Options(seed);
        options.ToolChoice = ChatToolChoice.CreateRequiredChoice();
        options.AllowParallelToolCalls = seed % 2 == 0;

        ChatCompletion completion = await Client.CompleteChatAsync([new UserChatMessage("What is the weather in Paris?")], options);

        Assert.Equal(ChatFinishReason.ToolCalls, completion.FinishReason);
        Assert.NotEmpty(completion.ToolCalls);
        if (seed % 2 != 0)
            Assert.Single(completion.ToolCalls);
        Assert.All(completion.ToolCalls, call => AssertValid(call.FunctionName == "add" ? AddSchema : WeatherSchema, call.FunctionArguments.ToString()));
    }

    [Fact]
    public async Task CompleteChatStreaming_RequiredToolChoice_DeltasReassembleToTheSameCall()
    {
        var options = Options(seed: 5);
        options.ToolChoice = ChatToolChoice.CreateFunctionChoice("get_weather");
        ChatCompletion whole = await Client.CompleteChatAsync([new UserChatMessage("Weather in Oslo?")], options);

        var ids = new Dictionary<int, string>();
        var names = new Dictionary<int, string>();
        var arguments = new Dictionary<int, StringBuilder>();
        var fragments = 0;
        ChatFinishReason? finish = null;
        await foreach (var update in Client.CompleteChatStreamingAsync([new UserChatMessage("Weather in Oslo?")], options))
        {
            foreach (var part in update.ToolCallUpdates)
            {
                if (part.ToolCallId is { } id)
                    ids[part.Index] = id;
                if (part.FunctionName is { } name)
                    names[part.Index] = name;
                var text = part.FunctionArgumentsUpdate?.ToString() ?? "";
                if (text.Length > 0)
                    fragments++;
                (arguments.TryGetValue(part.Index, out var sb) ? sb : arguments[part.Index] = new StringBuilder()).Append(text);
            }
            Assert.DoesNotContain(update.ContentUpdate, c => c.Text.Length > 0);
            finish ??= update.FinishReason;
        }

        Assert.Equal(ChatFinishReason.ToolCalls, finish);
        Assert.Equal([0], ids.Keys);
        Assert.Equal("get_weather", names[0]);
        Assert.Equal(whole.ToolCalls[0].FunctionArguments.ToString(), arguments[0].ToString());
        Assert.True(fragments > 1, $"arguments arrived in {fragments} fragment(s)");
        AssertValid(WeatherSchema, arguments[0].ToString());
    }

    [Fact]
    public async Task CompleteChat_ToolChoiceNone_AnswersWithText()
    {
        var options = Options(seed: 1);
        options.ToolChoice = ChatToolChoice.CreateNoneChoice();

        ChatCompletion completion = await Client.CompleteChatAsync([new UserChatMessage("Once upon a time")], options);

        Assert.Empty(completion.ToolCalls);
        Assert.NotEqual(ChatFinishReason.ToolCalls, completion.FinishReason);
    }

    [Fact]
    public async Task Post_UnsupportedArgumentSchema_Is400NamingIt()
    {
        using var response = await fixture.Server.PostAsync("/v1/chat/completions", new
        {
            messages = new[] { new { role = "user", content = "hi" } },
            tools = new[] { new { type = "function", function = new { name = "f", parameters = new { type = "object", properties = new { x = new { type = "string", pattern = "^a+$" } } } } } },
            tool_choice = "required",
        });
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("'pattern'", body, StringComparison.Ordinal);
        Assert.Contains("\"param\":\"tools\"", body, StringComparison.Ordinal);
    }

    private static ChatCompletionOptions Options(int seed) => new()
    {
        Temperature = 1f,
        Seed = seed,
        MaxOutputTokenCount = 120,
        Tools = { Weather, Add },
    };

    private static void AssertValid(string schema, string arguments)
    {
        using var document = JsonDocument.Parse(arguments);
        var result = JsonSchema.FromText(schema).Evaluate(document.RootElement);
        Assert.True(result.IsValid, $"arguments {arguments} do not validate against {schema}");
    }
}
