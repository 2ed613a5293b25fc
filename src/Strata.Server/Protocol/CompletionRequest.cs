using System.Text.Json;

namespace Strata.Server.Protocol;

/// <summary>A validated <c>POST /v1/completions</c> body.</summary>
internal sealed record CompletionRequest(CompletionPrompt Prompt, GenerationFields Generation)
{
    /// <summary>OpenAI's default for completions; chat defaults to the rest of the context instead.</summary>
    public const int DefaultMaxTokens = 16;

    private const string PromptParam = "prompt";

    public static CompletionRequest Parse(JsonElement body, string servedModel, int vocabSize)
    {
        var fields = new JsonFields(body);
        ServedModel.Check(fields, servedModel);
        var prompt = ParsePrompt(fields.Find(PromptParam));
        var generation = GenerationFields.Parse(fields, vocabSize);
        if (fields.Int32("logprobs") is { } logprobs)
        {
            generation = generation with
            {
                Logprobs = true,
                TopLogprobs = Require.Within(logprobs, 0, GenerationFields.MaxTopLogprobs, "logprobs"),
            };
        }
        return new CompletionRequest(prompt, generation);
    }

    // A prompt is a string or token ids; a batch of exactly one of either is unwrapped.
    private static CompletionPrompt ParsePrompt(JsonElement? prompt)
    {
        const string expected = "a string, an array of token ids, or an array holding one of these";
        switch (prompt)
        {
            case null:
                throw ApiException.BadRequest("You must provide a prompt.", PromptParam);
            case { ValueKind: JsonValueKind.String } text:
                return new CompletionPrompt(text.GetString(), null);
            case { ValueKind: JsonValueKind.Array } array when array.GetArrayLength() == 0:
                throw ApiException.BadRequest("The prompt must not be empty.", PromptParam);
            case { ValueKind: JsonValueKind.Array } array when array[0].ValueKind == JsonValueKind.Number:
                return new CompletionPrompt(null, TokenIds(array));
            case { ValueKind: JsonValueKind.Array } array when array.GetArrayLength() > 1:
                throw ApiException.BadRequest("Batched prompts are not supported; send one prompt per request.", PromptParam);
            case { ValueKind: JsonValueKind.Array } array when array[0].ValueKind == JsonValueKind.String:
                return new CompletionPrompt(array[0].GetString(), null);
            case { ValueKind: JsonValueKind.Array } array when array[0].ValueKind == JsonValueKind.Array:
                return new CompletionPrompt(null, TokenIds(array[0]));
            case { } other:
                throw JsonFields.WrongType(PromptParam, expected, other);
        }
    }

    private static int[] TokenIds(JsonElement array) => array.EnumerateArray()
        .Select(id => id.ValueKind == JsonValueKind.Number && id.TryGetInt32(out var token)
            ? token
            : throw JsonFields.WrongType(PromptParam, "an array of integer token ids", id))
        .ToArray();
}
