using System.Text.Json.Nodes;

namespace Strata.Cli.Hardening;

/// <summary>
/// The documented request fields of both generation endpoints (README, "Supported parameters"), each with the smallest
/// valid request around it and where a value goes. A field's <see cref="Field.Target"/> is its name as the server
/// reports it in <c>param</c>; nested fields are placed inside a valid parent.
/// </summary>
internal static class RequestSchema
{
    public const string Completions = "/v1/completions";
    public const string Chat = "/v1/chat/completions";
    public const string Tokenize = "/tokenize";
    public const string Detokenize = "/detokenize";

    /// <summary>A field of <see cref="Path"/>'s body: <see cref="Place"/> puts a value into a valid request.</summary>
    public sealed record Field(string Path, string Target, Action<JsonObject, JsonNode> Place);

    public static readonly IReadOnlyList<Field> Fields = [.. Shared(Completions), .. Shared(Chat), .. CompletionsOnly(), .. ChatOnly(), .. Tokenizing()];

    /// <summary>The smallest valid request: four greedy tokens, so the valid cases cost little.</summary>
    public static JsonObject Base(string path, string model)
    {
        if (path == Tokenize)
            return new JsonObject { ["model"] = model, ["content"] = "Once upon a time" };
        if (path == Detokenize)
            return new JsonObject { ["model"] = model, ["tokens"] = new JsonArray(1, 2) };
        var body = new JsonObject { ["model"] = model, ["max_tokens"] = 4, ["temperature"] = 0 };
        if (path == Chat)
            body["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hi" });
        else
            body["prompt"] = "Once upon a time";
        return body;
    }

    private static IEnumerable<Field> Shared(string path)
    {
        foreach (var name in new[]
        {
            "model", "max_tokens", "temperature", "top_p", "top_k", "min_p", "seed", "stop", "n", "stream", "stream_options",
            "presence_penalty", "frequency_penalty", "repetition_penalty", "logit_bias", "ignore_eos", "user", "cache_salt", "cache_ttl", "speculative",
            "guard_categories", "response_format", "grammar",
        })
        {
            yield return new Field(path, name, (body, value) => body[name] = value);
        }
        yield return new Field(path, "stop", (body, value) => body["stop"] = new JsonArray("The end", value));
        yield return new Field(path, "logit_bias", (body, value) => body["logit_bias"] = new JsonObject { ["13"] = value });
        yield return new Field(path, "guard_categories", (body, value) => body["guard_categories"] = new JsonArray(value));
        yield return new Field(path, "response_format.type", (body, value) => body["response_format"] = new JsonObject { ["type"] = value });
        yield return new Field(path, "response_format.json_schema", (body, value) => body["response_format"] = new JsonObject
        {
            ["type"] = "json_schema", ["json_schema"] = value,
        });
        yield return new Field(path, "response_format.json_schema.schema", (body, value) => body["response_format"] = new JsonObject
        {
            ["type"] = "json_schema", ["json_schema"] = new JsonObject { ["name"] = "x", ["schema"] = value },
        });
        yield return new Field(path, "response_format.json_schema.schema", (body, value) => body["response_format"] = new JsonObject
        {
            ["type"] = "json_schema",
            ["json_schema"] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["a"] = value } } },
        });
        yield return new Field(path, "stream_options.include_usage", (body, value) =>
        {
            body["stream"] = true;
            body["stream_options"] = new JsonObject { ["include_usage"] = value };
        });
        // A pin lasts a second, so the blocks it holds are free again when the run checks that every block returned.
        yield return new Field(path, "pin", (body, value) =>
        {
            body["pin"] = value;
            body["cache_ttl"] = 1;
        });
    }

    private static IEnumerable<Field> CompletionsOnly()
    {
        yield return new Field(Completions, "prompt", (body, value) => body["prompt"] = value);
        yield return new Field(Completions, "prompt", (body, value) => body["prompt"] = new JsonArray(1, value));
        yield return new Field(Completions, "prompt", (body, value) => body["prompt"] = new JsonArray(new JsonArray(1, value)));
        foreach (var name in new[] { "logprobs", "echo", "best_of", "suffix" })
            yield return new Field(Completions, name, (body, value) => body[name] = value);
        yield return new Field(Completions, "prompt", (body, value) => body["prompt"] = new JsonArray("Once upon a time", value));
    }

    /// <summary>The tokenizer endpoints llama.cpp's and vLLM's servers have.</summary>
    private static IEnumerable<Field> Tokenizing()
    {
        foreach (var name in new[] { "content", "add_special", "parse_special", "with_pieces" })
            yield return new Field(Tokenize, name, (body, value) => body[name] = value);
        yield return new Field(Detokenize, "tokens", (body, value) => body["tokens"] = value);
        yield return new Field(Detokenize, "tokens", (body, value) => body["tokens"] = new JsonArray(1, value));
    }

    private static JsonObject Tool(JsonNode name, JsonNode parameters) => new()
    {
        ["type"] = "function",
        ["function"] = new JsonObject { ["name"] = name, ["parameters"] = parameters },
    };

    private static IEnumerable<Field> ChatOnly()
    {
        yield return new Field(Chat, "messages", (body, value) => body["messages"] = value);
        yield return new Field(Chat, "messages[0]", (body, value) => body["messages"] = new JsonArray(value));
        yield return new Field(Chat, "messages[1]", (body, value) => body["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hi" }, value));
        yield return new Field(Chat, "messages[0].role", (body, value) => body["messages"] = new JsonArray(new JsonObject { ["role"] = value, ["content"] = "Hi" }));
        yield return new Field(Chat, "messages[0].content", (body, value) => body["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = value }));
        yield return new Field(Chat, "messages[0].content[0]", (body, value) => body["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = new JsonArray(value) }));
        yield return new Field(Chat, "messages[0].content[0].type", (body, value) => body["messages"] = new JsonArray(new JsonObject
        {
            ["role"] = "user", ["content"] = new JsonArray(new JsonObject { ["type"] = value, ["text"] = "Hi" }),
        }));
        yield return new Field(Chat, "messages[0].content[0].text", (body, value) => body["messages"] = new JsonArray(new JsonObject
        {
            ["role"] = "user", ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = value }),
        }));
        yield return new Field(Chat, "messages[0].name", (body, value) => body["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hi", ["name"] = value }));
        foreach (var name in new[] { "max_completion_tokens", "logprobs", "top_logprobs", "chat_template_kwargs", "tools" })
            yield return new Field(Chat, name, (body, value) => body[name] = value);
        yield return new Field(Chat, "tools[0]", (body, value) => body["tools"] = new JsonArray(value));
        yield return new Field(Chat, "tools[0].function", (body, value) => body["tools"] = new JsonArray(new JsonObject { ["type"] = "function", ["function"] = value }));
        yield return new Field(Chat, "tools[0].function.name", (body, value) => body["tools"] = new JsonArray(Tool(value, new JsonObject { ["type"] = "object" })));
        yield return new Field(Chat, "tools[0].function.parameters", (body, value) => body["tools"] = new JsonArray(Tool("get_weather", value)));
        foreach (var name in new[] { "tool_choice", "parallel_tool_calls" })
        {
            yield return new Field(Chat, name, (body, value) =>
            {
                body["tools"] = new JsonArray(Tool("get_weather", new JsonObject { ["type"] = "object" }));
                body[name] = value;
            });
        }
        yield return new Field(Chat, "top_logprobs", (body, value) =>
        {
            body["logprobs"] = true;
            body["top_logprobs"] = value;
        });
        yield return new Field(Chat, "chat_template_kwargs", (body, value) => body["chat_template_kwargs"] = new JsonObject { ["enable_thinking"] = value });
    }
}
