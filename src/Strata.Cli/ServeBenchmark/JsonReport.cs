using System.Text.Json;

namespace Strata.Cli.ServeBenchmark;

/// <summary>
/// Writes the settings, the summary and every request's measurements as JSON (snake_case, milliseconds), for scripts
/// that compare runs or plot distributions.
/// </summary>
internal static class JsonReport
{
    public static void Write(Stream stream, ServeBenchmarkSettings settings, BenchmarkOutcome outcome)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("date", DateTimeOffset.UtcNow);
        WriteSettings(json, settings, outcome);
        WriteSummary(json, outcome.Summary);
        WriteTiers(json, outcome.Tiers);
        json.WriteStartArray("requests");
        foreach (var record in outcome.Run.Records)
            WriteRecord(json, record);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteSettings(Utf8JsonWriter json, ServeBenchmarkSettings settings, BenchmarkOutcome outcome)
    {
        json.WriteString("endpoint", outcome.EndpointUrl);
        json.WriteString("model", outcome.Model);
        WriteDataset(json, settings.Dataset);
        json.WriteNumber("num_prompts", outcome.Run.Records.Count);
        if (double.IsPositiveInfinity(settings.RequestRate))
            json.WriteString("request_rate", "inf");
        else
            json.WriteNumber("request_rate", settings.RequestRate);
        json.WriteNumber("burstiness", settings.Burstiness);
        WriteNullable(json, "max_concurrency", settings.MaxConcurrency);
        json.WriteNumber("temperature", settings.Temperature);
        json.WriteBoolean("ignore_eos", settings.IgnoreEos);
        json.WriteNumber("seed", settings.Seed);
        WriteNullable(json, "tokens_per_word", outcome.Estimate?.TokensPerWord);
        WriteNullable(json, "prompt_overhead_tokens", outcome.Estimate?.OverheadTokens);
        if (settings.Goodput is { } slo)
        {
            json.WriteStartObject("goodput_slo_ms");
            WriteNullable(json, "ttft", slo.TtftMs);
            WriteNullable(json, "tpot", slo.TpotMs);
            WriteNullable(json, "e2e", slo.E2eMs);
            json.WriteEndObject();
        }
    }

    private static void WriteDataset(Utf8JsonWriter json, BenchmarkDataset dataset)
    {
        json.WriteStartObject("dataset");
        switch (dataset)
        {
            case RandomDataset random:
                json.WriteString("name", "random");
                json.WriteNumber("input_len_min", random.Input.Min);
                json.WriteNumber("input_len_max", random.Input.Max);
                json.WriteNumber("output_len_min", random.Output.Min);
                json.WriteNumber("output_len_max", random.Output.Max);
                break;
            case SharedPrefixDataset shared:
                json.WriteString("name", "shared-prefix");
                json.WriteNumber("groups", shared.Groups);
                json.WriteNumber("prefix_len", shared.PrefixTokens);
                json.WriteNumber("questions_per_group", shared.QuestionsPerGroup);
                json.WriteNumber("question_len", shared.QuestionTokens);
                json.WriteNumber("output_len", shared.OutputTokens);
                break;
            default:
                throw new ArgumentException($"no JSON form for {dataset.GetType().Name}", nameof(dataset));
        }
        json.WriteEndObject();
    }

    internal static void WriteSummary(Utf8JsonWriter json, BenchmarkSummary s)
    {
        json.WriteNumber("duration_s", s.Duration.TotalSeconds);
        json.WriteNumber("completed", s.Completed);
        json.WriteNumber("failed", s.Failed);
        json.WriteNumber("total_input_tokens", s.TotalInputTokens);
        json.WriteNumber("total_output_tokens", s.TotalOutputTokens);
        json.WriteNumber("request_throughput", s.RequestThroughput);
        WriteNullable(json, "request_goodput", s.Goodput);
        json.WriteNumber("input_throughput", s.InputThroughput);
        json.WriteNumber("output_throughput", s.OutputThroughput);
        json.WriteNumber("total_token_throughput", s.TotalTokenThroughput);
        WriteNullable(json, "mean_cached_prompt_tokens", s.MeanCachedPromptTokens);
        WriteLatency(json, "ttft_ms", s.Ttft);
        WriteLatency(json, "tpot_ms", s.Tpot);
        WriteLatency(json, "itl_ms", s.Itl);
        WriteLatency(json, "e2el_ms", s.E2e);
        json.WriteStartArray("errors");
        foreach (var error in s.Errors)
        {
            json.WriteStartObject();
            json.WriteString("message", error.Message);
            json.WriteNumber("count", error.Count);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void WriteTiers(Utf8JsonWriter json, IReadOnlyList<TierSummary> tiers)
    {
        if (tiers.Count == 0)
            return;
        json.WriteStartObject("tiers");
        foreach (var t in tiers)
        {
            json.WriteStartObject(Strata.Engine.Control.Tiers.Name(t.Tier));
            json.WriteNumber("ttft_target_s", t.Target.TimeToFirstToken.TotalSeconds);
            json.WriteNumber("tpot_target_s", t.Target.TimePerOutputToken.TotalSeconds);
            json.WriteNumber("sent", t.Sent);
            json.WriteNumber("completed", t.Completed);
            json.WriteNumber("refused", t.Refused);
            json.WriteNumber("met", t.Met);
            json.WriteNumber("attainment", t.Attainment);
            json.WriteNumber("served_attainment", t.ServedAttainment);
            json.WriteNumber("goodput", t.Goodput);
            WriteLatency(json, "ttft_ms", t.Ttft);
            WriteLatency(json, "tpot_ms", t.Tpot);
            WriteLatency(json, "refusal_ms", t.RefusalLatency);
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

    private static void WriteLatency(Utf8JsonWriter json, string name, LatencyStats stats)
    {
        json.WriteStartObject(name);
        json.WriteNumber("mean", stats.Mean);
        json.WriteNumber("p50", stats.P50);
        json.WriteNumber("p90", stats.P90);
        json.WriteNumber("p99", stats.P99);
        json.WriteEndObject();
    }

    internal static void WriteRecord(Utf8JsonWriter json, RequestRecord record)
    {
        json.WriteStartObject();
        json.WriteNumber("sent_at_ms", record.SentAt.TotalMilliseconds);
        if (record.Error is { } error)
        {
            json.WriteString("error", error);
            json.WriteEndObject();
            return;
        }
        json.WriteNumber("prompt_tokens", record.PromptTokens);
        json.WriteNumber("output_tokens", record.OutputTokens);
        WriteNullable(json, "cached_tokens", record.CachedTokens);
        json.WriteNumber("ttft_ms", record.TimeToFirstToken.TotalMilliseconds);
        WriteNullable(json, "tpot_ms", record.TimePerOutputToken?.TotalMilliseconds);
        json.WriteNumber("e2el_ms", record.EndToEnd.TotalMilliseconds);
        json.WriteStartArray("itl_ms");
        foreach (var gap in record.InterTokenLatencies)
            json.WriteNumberValue(gap.TotalMilliseconds);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } number)
            json.WriteNumber(name, number);
        else
            json.WriteNull(name);
    }
}
