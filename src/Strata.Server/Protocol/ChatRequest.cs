using System.Text.Json;
using System.Text.Json.Nodes;
using Strata.Server.Tools;

namespace Strata.Server.Protocol;

/// <summary>A validated <c>POST /v1/chat/completions</c> body.</summary>
/// <param name="TemplateVariables">Extra chat-template variables from <c>chat_template_kwargs</c> (vLLM's extension), such as <c>enable_thinking</c>.</param>
/// <param name="Tools">The request's tools and tool choice; null when it offers none.</param>
internal sealed record ChatRequest(JsonArray Messages, IReadOnlyDictionary<string, JsonNode?> TemplateVariables, GenerationFields Generation, ToolRequest? Tools = null)
{
    public static ChatRequest Parse(JsonElement body, string servedModel, int vocabSize)
    {
        var fields = new JsonFields(body);
        ServedModel.Check(fields, servedModel);
        var messages = ChatMessages.Normalize(fields.Find("messages"));
        var generation = GenerationFields.Parse(fields, vocabSize);
        var logprobs = fields.Boolean("logprobs") ?? false;
        var topLogprobs = fields.Int32("top_logprobs");
        if (topLogprobs is not null && !logprobs)
            throw ApiException.BadRequest("top_logprobs requires logprobs to be true.", "top_logprobs");
        generation = generation with
        {
            Logprobs = logprobs,
            TopLogprobs = Require.Within(topLogprobs ?? 0, 0, GenerationFields.MaxTopLogprobs, "top_logprobs"),
        };
        // max_completion_tokens replaced max_tokens in the chat API; when both are sent the newer one wins.
        if (fields.Int32("max_completion_tokens") is { } limit)
            generation = generation with { MaxTokens = Require.AtLeast(limit, 1, "max_completion_tokens"), MaxTokensParam = "max_completion_tokens" };
        return new ChatRequest(messages, ParseTemplateVariables(fields), generation, ToolRequest.Parse(fields));
    }

    // The variables the server itself passes to the template: a keyword argument could otherwise replace the
    // validated messages with anything at all.
    private static readonly HashSet<string> ServerVariables = ["messages", "tools", "add_generation_prompt", "bos_token", "eos_token"];

    private static Dictionary<string, JsonNode?> ParseTemplateVariables(JsonFields fields)
    {
        const string param = "chat_template_kwargs";
        if (fields.Object(param) is not { } kwargs)
            return [];
        var variables = new Dictionary<string, JsonNode?>();
        foreach (var kwarg in kwargs.EnumerateObject())
        {
            if (ServerVariables.Contains(kwarg.Name))
            {
                throw ApiException.BadRequest(
                    $"Invalid '{param}.{kwarg.Name}': {string.Join(", ", ServerVariables)} come from the request itself and cannot be set here.",
                    $"{param}.{kwarg.Name}");
            }
            variables[kwarg.Name] = JsonNode.Parse(kwarg.Value.GetRawText());
        }
        return variables;
    }
}
