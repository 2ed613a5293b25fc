using System.Text.Json;
using Json.Schema;

namespace Strata.Server.Tests;

/// <summary><c>response_format</c> and <c>grammar</c> over HTTP: outputs validate, unsupported schemas are a 400 naming the feature.</summary>
public sealed class StructuredOutputTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const string Schema = """
        {"type": "object", "properties": {"hero": {"type": "string", "maxLength": 12}, "friends": {"type": "array",
         "items": {"enum": ["cat", "dog", "bird"]}, "minItems": 1, "maxItems": 3}, "happy": {"type": "boolean"}},
         "required": ["hero", "friends", "happy"], "additionalProperties": false}
        """;

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public async Task Chat_JsonSchema_EveryChoiceValidates(double temperature)
    {
        var answer = await fixture.Server.PostOkAsync("/v1/chat/completions", new
        {
            messages = new[] { new { role = "user", content = "Once upon a time" } },
            response_format = new { type = "json_schema", json_schema = new { name = "story", strict = true, schema = JsonDocument.Parse(Schema).RootElement } },
            temperature, n = 4, seed = 9, max_tokens = 80,
        });

        var validator = JsonSchema.FromText(Schema);
        foreach (var choice in answer.GetProperty("choices").EnumerateArray())
        {
            var content = choice.GetProperty("message").GetProperty("content").GetString()!;
            using var document = JsonDocument.Parse(content);
            Assert.True(validator.Evaluate(document.RootElement).IsValid, content);
            Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        }
    }

    [Fact]
    public async Task Completion_JsonObjectStreamed_ChunksJoinToAnObject()
    {
        using var response = await fixture.Server.PostAsync("/v1/completions", new
        {
            prompt = "Once upon a time", response_format = new { type = "json_object" }, max_tokens = 60, temperature = 0.8, seed = 4, stream = true,
        });
        var text = Sse.JoinChoices(await Sse.ReadChunksAsync(response), 1, Sse.CompletionText)[0];

        using var document = JsonDocument.Parse(text);
        Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
    }

    [Fact]
    public async Task Completion_GbnfGrammar_OutputIsASentence()
    {
        var answer = await fixture.Server.PostOkAsync("/v1/completions", new
        {
            prompt = "Once upon a time", grammar = "root ::= (\"yes\" | \"no\") (\", \" (\"yes\" | \"no\")){2}", temperature = 1, seed = 2, max_tokens = 30,
        });

        Assert.Matches("^(yes|no)(, (yes|no)){2}$", answer.GetProperty("choices")[0].GetProperty("text").GetString());
    }

    [Theory]
    [InlineData("""{"type": "string", "pattern": "^a"}""", "'pattern' at '#'")]
    [InlineData("""{"type": "object", "properties": {"n": {"type": "integer", "minimum": 3}}}""", "'minimum' at '#/properties/n'")]
    [InlineData("""{"oneOf": [{"type": "string"}]}""", "'oneOf' at '#'")]
    [InlineData("""{"$ref": "https://example.com/schema"}""", "only references within the schema")]
    public async Task Post_UnsupportedSchema_Is400NamingTheFeature(string schema, string named)
    {
        using var response = await fixture.Server.PostAsync("/v1/chat/completions", new
        {
            messages = new[] { new { role = "user", content = "hi" } },
            response_format = new { type = "json_schema", json_schema = new { name = "x", schema = JsonDocument.Parse(schema).RootElement } },
        });
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains(named, body, StringComparison.Ordinal);
        Assert.Contains("\"param\":\"response_format.json_schema.schema\"", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"prompt": "x", "grammar": "root ::= oops"}""", "never defined", "grammar")]
    [InlineData("""{"prompt": "x", "grammar": "root ::= \"a\"", "response_format": {"type": "json_object"}}""", "not both", "grammar")]
    [InlineData("""{"prompt": "x", "response_format": {"type": "xml"}}""", "'json_schema'", "response_format.type")]
    [InlineData("""{"prompt": "x", "response_format": {"type": "json_schema"}}""", "Missing required parameter", "response_format.json_schema")]
    public async Task Post_BadGrammarRequest_Is400(string body, string message, string param)
    {
        using var response = await fixture.Server.PostRawAsync("/v1/completions", body);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains(message, text, StringComparison.Ordinal);
        Assert.Contains($"\"param\":\"{param}\"", text, StringComparison.Ordinal);
    }
}
