using System.Text.Json;
using Strata.Server.Generation;

namespace Strata.Server.Responses;

/// <summary>The chat API: choices carry an assistant <c>message</c> (streams: a <c>delta</c>); logprobs are a list of token objects.</summary>
internal sealed class ChatFormat : IResponseFormat
{
    public static ChatFormat Instance { get; } = new();

    public string IdPrefix => "chatcmpl-";

    public string ObjectName => "chat.completion";

    public string ChunkObjectName => "chat.completion.chunk";

    public bool OpensChoices => true;

    public void WriteOpening(Utf8JsonWriter json, int index)
    {
        json.WriteStartObject();
        json.WriteNumber("index", index);
        json.WriteStartObject("delta");
        json.WriteString("role", "assistant");
        json.WriteString("content", "");
        json.WriteEndObject();
        json.WriteNull("logprobs");
        json.WriteNull("finish_reason");
        json.WriteEndObject();
    }

    public void WriteChoice(Utf8JsonWriter json, ChoiceOutput choice)
    {
        json.WriteStartObject();
        json.WriteNumber("index", choice.Index);
        json.WriteStartObject("message");
        json.WriteString("role", "assistant");
        var calls = choice.ToolCalls.ToList();
        // A reply that is only tool calls has no content, as OpenAI answers it.
        if (calls.Count > 0 && choice.Text.Length == 0)
            json.WriteNull("content");
        else
            json.WriteString("content", choice.Text);
        if (calls.Count > 0)
        {
            json.WriteStartArray("tool_calls");
            foreach (var (id, name, arguments) in calls)
                WriteToolCall(json, null, id, name, arguments);
            json.WriteEndArray();
        }
        json.WriteEndObject();
        json.WritePropertyName("logprobs");
        WriteLogprobs(json, choice.Logprobs);
        json.WriteString("finish_reason", FinishReasons.ToApi(choice.Finish!.Value, choice.CalledTools));
        json.WriteEndObject();
    }

    public void WriteDelta(Utf8JsonWriter json, ChoiceUpdate update)
    {
        json.WriteStartObject();
        json.WriteNumber("index", update.Choice);
        json.WriteStartObject("delta");
        if (update.Text.Length > 0)
            json.WriteString("content", update.Text);
        if (update.ToolCalls is { Count: > 0 } deltas)
        {
            json.WriteStartArray("tool_calls");
            foreach (var delta in deltas)
                WriteToolCall(json, delta.Index, delta.Id, delta.Name, delta.Arguments);
            json.WriteEndArray();
        }
        json.WriteEndObject();
        json.WritePropertyName("logprobs");
        WriteLogprobs(json, update.Logprobs is { } entry ? [entry] : []);
        json.WriteString("finish_reason", update.Finish is { } finish ? FinishReasons.ToApi(finish, update.CalledTools) : null);
        json.WriteEndObject();
    }

    /// <summary>A tool call, or a streamed piece of one (with its index; id and name only in its first piece).</summary>
    private static void WriteToolCall(Utf8JsonWriter json, int? index, string? id, string? name, string arguments)
    {
        json.WriteStartObject();
        if (index is { } i)
            json.WriteNumber("index", i);
        if (id is not null)
        {
            json.WriteString("id", id);
            json.WriteString("type", "function");
        }
        json.WriteStartObject("function");
        if (name is not null)
            json.WriteString("name", name);
        json.WriteString("arguments", arguments);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteLogprobs(Utf8JsonWriter json, IReadOnlyList<LogprobEntry> entries)
    {
        if (entries.Count == 0)
        {
            json.WriteNullValue();
            return;
        }
        json.WriteStartObject();
        json.WriteStartArray("content");
        foreach (var entry in entries)
        {
            json.WriteStartObject();
            WriteToken(json, entry.Chosen);
            json.WriteStartArray("top_logprobs");
            foreach (var top in entry.Top)
            {
                json.WriteStartObject();
                WriteToken(json, top);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteNull("refusal");
        json.WriteEndObject();
    }

    private static void WriteToken(Utf8JsonWriter json, LogprobToken token)
    {
        json.WriteString("token", token.Text);
        json.WriteNumber("logprob", token.Logprob);
        json.WriteStartArray("bytes");
        foreach (var b in token.Bytes)
            json.WriteNumberValue(b);
        json.WriteEndArray();
    }
}
