using System.Text.Json;

namespace Strata.Server.Protocol;

/// <summary>A validated <c>POST /v1/completions</c> body: one prompt or a batch of them (one set of choices each).</summary>
/// <param name="Echo">Each choice's text starts with its prompt.</param>
internal sealed record CompletionRequest(IReadOnlyList<CompletionPrompt> Prompts, GenerationFields Generation, bool Echo = false)
{
    /// <summary>Prompts in one request, at most (each runs as its own engine request).</summary>
    public const int MaxPrompts = 64;

    /// <summary>OpenAI's default for completions; chat defaults to the rest of the context instead.</summary>
    public const int DefaultMaxTokens = 16;

    private const string PromptParam = "prompt";

    public static CompletionRequest Parse(JsonElement body, string servedModel, int vocabSize)
    {
        var fields = new JsonFields(body);
        ServedModel.Check(fields, servedModel);
        var prompts = ParsePrompts(fields.Find(PromptParam));
        var generation = GenerationFields.Parse(fields, vocabSize);
        if (fields.String("suffix") is { Length: > 0 })
            throw ApiException.BadRequest("'suffix' is not supported: this server has no fill-in-the-middle template for the model.", "suffix");
        var echo = fields.Boolean("echo") ?? false;
        if (fields.Int32("best_of") is { } bestOf)
        {
            Require.Within(bestOf, generation.Choices, GenerationFields.MaxChoices, "best_of");
            if (generation.Stream && bestOf > generation.Choices)
                throw ApiException.BadRequest("'best_of' greater than 'n' cannot be streamed.", "best_of");
            generation = generation with { BestOf = bestOf };
        }
        if ((generation.BestOf ?? generation.Choices) * prompts.Count > GenerationFields.MaxChoices)
            throw ApiException.BadRequest($"Too many choices: prompts × {(generation.BestOf is null ? "n" : "best_of")} must be at most {GenerationFields.MaxChoices}.", PromptParam);
        if (fields.Int32("logprobs") is { } logprobs)
        {
            if (echo)
                throw ApiException.BadRequest("'echo' with 'logprobs' is not supported: prompt tokens have no log-probabilities here.", "echo");
            generation = generation with
            {
                Logprobs = true,
                TopLogprobs = Require.Within(logprobs, 0, GenerationFields.MaxTopLogprobs, "logprobs"),
            };
        }
        return new CompletionRequest(prompts, generation, echo);
    }

    // A prompt is a string or token ids; a batch is an array of strings or an array of token id arrays.
    private static List<CompletionPrompt> ParsePrompts(JsonElement? prompt)
    {
        const string expected = "a string, an array of token ids, an array of strings or an array of token id arrays";
        switch (prompt)
        {
            case null:
                throw ApiException.BadRequest("You must provide a prompt.", PromptParam);
            case { ValueKind: JsonValueKind.String } text:
                return [new CompletionPrompt(text.GetString(), null)];
            case { ValueKind: JsonValueKind.Array } array when array.GetArrayLength() == 0:
                throw ApiException.BadRequest("The prompt must not be empty.", PromptParam);
            case { ValueKind: JsonValueKind.Array } array when array[0].ValueKind == JsonValueKind.Number:
                return [new CompletionPrompt(null, TokenIds(array))];
            case { ValueKind: JsonValueKind.Array } array when array.GetArrayLength() > MaxPrompts:
                throw ApiException.BadRequest($"Too many prompts: at most {MaxPrompts} per request.", PromptParam);
            case { ValueKind: JsonValueKind.Array } array:
                return array.EnumerateArray().Select(item => item.ValueKind switch
                {
                    JsonValueKind.String => new CompletionPrompt(item.GetString(), null),
                    JsonValueKind.Array => new CompletionPrompt(null, TokenIds(item)),
                    _ => throw JsonFields.WrongType(PromptParam, expected, item),
                }).ToList();
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
