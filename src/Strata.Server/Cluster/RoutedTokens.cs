using System.Text.Json;
using Strata.Server.Protocol;

namespace Strata.Server.Cluster;

/// <summary>
/// The prompt's token ids as a router read them (<see cref="Field"/>, added to the body it forwards), so that a node
/// behind a router does not tokenize the prompt again. The router reads prompts exactly as a node does (the same
/// parsing, chat template and tokenizer: <see cref="PromptReader"/>) and strips the field from what clients send. A
/// node takes the ids as given: they are what a completions request may send as its prompt anyway, checked against the
/// vocabulary the same way, so a client sending them itself only changes its own prompt.
/// </summary>
internal static class RoutedTokens
{
    public const string Field = "strata_prompt_tokens";

    /// <summary>The routed ids, or null when the body has none (a request straight from a client).</summary>
    public static int[]? Read(JsonElement body, int vocabSize)
    {
        if (!body.TryGetProperty(Field, out var ids))
            return null;
        if (ids.ValueKind != JsonValueKind.Array || ids.GetArrayLength() == 0)
            throw JsonFields.WrongType(Field, "a non-empty array of token ids", ids);
        var tokens = new int[ids.GetArrayLength()];
        var i = 0;
        foreach (var id in ids.EnumerateArray())
        {
            if (id.ValueKind != JsonValueKind.Number || !id.TryGetInt32(out var token) || token < 0 || token >= vocabSize)
                throw ApiException.BadRequest($"Invalid '{Field}[{i}]': expected a token id from 0 to {vocabSize - 1}.", $"{Field}[{i}]");
            tokens[i++] = token;
        }
        return tokens;
    }

    /// <summary>
    /// <paramref name="body"/> with <paramref name="tokens"/> as its routed ids (any the client sent replaced), or with
    /// none when <paramref name="tokens"/> is null.
    /// </summary>
    public static byte[] Rewrite(JsonElement body, int[]? tokens)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var property in body.EnumerateObject())
                if (property.Name != Field)
                    property.WriteTo(json);
            if (tokens is not null)
            {
                json.WriteStartArray(Field);
                foreach (var token in tokens)
                    json.WriteNumberValue(token);
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
