using System.Text.Json;
using Strata.Server.Generation;

namespace Strata.Server.Responses;

/// <summary>The completions API: choices carry <c>text</c>; logprobs are parallel arrays with a dict of alternatives per token.</summary>
internal sealed class CompletionFormat : IResponseFormat
{
    public static CompletionFormat Instance { get; } = new();

    public string IdPrefix => "cmpl-";

    public string ObjectName => "text_completion";

    public string ChunkObjectName => "text_completion";

    public bool OpensChoices => false;

    public void WriteOpening(Utf8JsonWriter json, int index) => throw new NotSupportedException("completion streams do not open choices");

    public void WriteChoice(Utf8JsonWriter json, ChoiceOutput choice) =>
        Write(json, choice.Index, choice.Text, choice.Logprobs, FinishReasons.ToApi(choice.Finish!.Value));

    public void WriteDelta(Utf8JsonWriter json, ChoiceUpdate update) =>
        Write(json, update.Choice, update.Text, update.Logprobs is { } entry ? [entry] : [], update.Finish is { } f ? FinishReasons.ToApi(f) : null);

    private static void Write(Utf8JsonWriter json, int index, string text, IReadOnlyList<LogprobEntry> logprobs, string? finishReason)
    {
        json.WriteStartObject();
        json.WriteNumber("index", index);
        json.WriteString("text", text);
        json.WritePropertyName("logprobs");
        WriteLogprobs(json, logprobs);
        json.WriteString("finish_reason", finishReason);
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
        json.WriteStartArray("tokens");
        foreach (var entry in entries)
            json.WriteStringValue(entry.Chosen.Text);
        json.WriteEndArray();
        json.WriteStartArray("token_logprobs");
        foreach (var entry in entries)
            json.WriteNumberValue(entry.Chosen.Logprob);
        json.WriteEndArray();
        json.WriteStartArray("top_logprobs");
        foreach (var entry in entries)
        {
            json.WriteStartObject();
            // Two ids can decode to the same text; a JSON object keeps the first (the more likely one).
            foreach (var top in entry.Top.DistinctBy(t => t.Text))
                json.WriteNumber(top.Text, top.Logprob);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("text_offset");
        foreach (var entry in entries)
            json.WriteNumberValue(entry.TextOffset);
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
