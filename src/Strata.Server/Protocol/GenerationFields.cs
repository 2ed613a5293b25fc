using System.Text.Json;
using Strata.Engine.Control;
using Strata.Engine.Requests;
using Strata.Engine.Sampling;
using Strata.Server.Structured;

namespace Strata.Server.Protocol;

/// <summary>
/// The parameters both generation APIs share, validated: sampling, <c>n</c>, streaming and logprobs. The token limit
/// stays open (<see cref="MaxTokens"/> null) until the prompt's length is known.
/// </summary>
internal sealed record GenerationFields
{
    public const int MaxChoices = 128;
    public const int MaxTopLogprobs = 20;

    /// <summary>
    /// Every stop string is looked for after every token on the engine thread, so their number and length bound the
    /// work a request adds to every step (OpenAI allows 4).
    /// </summary>
    public const int MaxStopStrings = 16;
    public const int MaxStopLength = 256;

    /// <summary>The longest <c>cache_ttl</c> a request may ask for (a year); the server keeps blocks for at most its own limit anyway.</summary>
    public const double MaxCacheTtlSeconds = 366 * 86400;

    public required SamplingParams Sampling { get; init; }

    /// <summary>The token limit the client asked for, if any.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>The name the client gave the token limit, for errors about it.</summary>
    public string MaxTokensParam { get; init; } = "max_tokens";

    public int Choices { get; init; } = 1;

    /// <summary>Choices to generate per prompt, of which the <see cref="Choices"/> most likely are returned (<c>best_of</c>); null: as many as returned.</summary>
    public int? BestOf { get; init; }

    public bool Stream { get; init; }

    /// <summary>Streams end with a chunk carrying the usage (<c>stream_options.include_usage</c>).</summary>
    public bool IncludeUsage { get; init; }

    public bool Logprobs { get; init; }

    public int TopLogprobs { get; init; }

    /// <summary>Isolates the request's cached prefixes (<c>cache_salt</c>, as in vLLM).</summary>
    public string CacheSalt { get; init; } = "";

    /// <summary>How long the prompt's cached blocks should be kept (<c>cache_ttl</c>, seconds).</summary>
    public TimeSpan? CacheTtl { get; init; }

    /// <summary>Keep the prompt's cached blocks resident for <see cref="CacheTtl"/> (<c>pin</c>).</summary>
    public bool Pin { get; init; }

    /// <summary>Whether the server's speculative decoding may draft for this request (<c>speculative</c>; default true).</summary>
    public bool Speculative { get; init; } = true;

    /// <summary>Opt-in content guard categories the client asks to be enforced (<c>guard_categories</c>).</summary>
    public IReadOnlyCollection<string> GuardCategories { get; init; } = [];

    /// <summary>The class of service asked for (<c>service_tier</c>); null for <c>auto</c> or none: the tenant's default.</summary>
    public ServiceTier? Tier { get; init; }

    /// <summary>The grammar the output must follow (<c>response_format</c>, <c>grammar</c>, or a required tool call).</summary>
    public OutputGrammar? Grammar { get; init; }

    public static GenerationFields Parse(JsonFields fields, int vocabSize)
    {
        // Accepted for compatibility and otherwise unused; only its type is checked.
        fields.String("user");
        var stream = fields.Boolean("stream") ?? false;
        var streamOptions = fields.Object("stream_options");
        if (streamOptions is not null && !stream)
            throw ApiException.BadRequest("stream_options is only allowed when stream is true.", "stream_options");
        var maxTokens = fields.Int32("max_tokens");
        return new GenerationFields
        {
            Sampling = ParseSampling(fields, vocabSize),
            MaxTokens = maxTokens is { } limit ? Require.AtLeast(limit, 1, "max_tokens") : null,
            Choices = Require.Within(fields.Int32("n") ?? 1, 1, MaxChoices, "n"),
            Stream = stream,
            Tier = ParseTier(fields),
            CacheSalt = fields.String("cache_salt") ?? "",
            CacheTtl = fields.Number("cache_ttl") is { } ttl ? TimeSpan.FromSeconds(Require.AboveZeroUpTo(ttl, MaxCacheTtlSeconds, "cache_ttl")) : null,
            Pin = fields.Boolean("pin") ?? false,
            Speculative = fields.Boolean("speculative") ?? true,
            Grammar = StructuredOutput.Parse(fields),
            GuardCategories = ParseStrings(fields, "guard_categories"),
            IncludeUsage = streamOptions is { } options && (new JsonFields(options, "stream_options.").Boolean("include_usage") ?? false),
        };
    }

    private static SamplingParams ParseSampling(JsonFields fields, int vocabSize)
    {
        var topK = Require.AtLeast(fields.Int32("top_k") ?? 0, -1, "top_k");
        return new SamplingParams
        {
            Temperature = Require.Single(Require.AtLeast(fields.Number("temperature") ?? 1, 0, "temperature"), "temperature"),
            TopP = Require.Single(Require.AboveZeroUpToOne(fields.Number("top_p") ?? 1, "top_p"), "top_p"),
            // vLLM spells "no top-k" as -1; the engine as 0.
            TopK = Math.Max(topK, 0),
            MinP = Require.Single(Require.Within(fields.Number("min_p") ?? 0, 0, 1, "min_p"), "min_p"),
            RepetitionPenalty = Require.Single(Require.AboveZero(fields.Number("repetition_penalty") ?? 1, "repetition_penalty"), "repetition_penalty"),
            PresencePenalty = Require.Single(Require.Within(fields.Number("presence_penalty") ?? 0, -2, 2, "presence_penalty"), "presence_penalty"),
            FrequencyPenalty = Require.Single(Require.Within(fields.Number("frequency_penalty") ?? 0, -2, 2, "frequency_penalty"), "frequency_penalty"),
            LogitBias = ParseLogitBias(fields, vocabSize),
            Seed = fields.Int64("seed") is { } seed ? unchecked((ulong)seed) : null,
            Stop = ParseStop(fields),
            IgnoreEos = fields.Boolean("ignore_eos") ?? false,
        };
    }

    private static ServiceTier? ParseTier(JsonFields fields)
    {
        const string param = "service_tier";
        var name = fields.String(param);
        if (name is null or "auto")
            return null;
        if (Tiers.TryParse(name, out var tier))
            return tier;
        throw ApiException.BadRequest($"Invalid 'service_tier': '{name}'. Expected one of: 'auto', 'default', 'flex', 'priority'.", param);
    }

    private static string[] ParseStrings(JsonFields fields, string param) => fields.Find(param) switch
    {
        null => [],
        { ValueKind: JsonValueKind.Array } many => many.EnumerateArray()
            .Select(s => s.ValueKind == JsonValueKind.String ? s.GetString()! : throw JsonFields.WrongType(param, "an array of strings", s))
            .ToArray(),
        { } other => throw JsonFields.WrongType(param, "an array of strings", other),
    };

    private static string[] ParseStop(JsonFields fields)
    {
        const string param = "stop";
        string[] stops = fields.Find(param) switch
        {
            null => [],
            { ValueKind: JsonValueKind.String } one => [one.GetString()!],
            { ValueKind: JsonValueKind.Array } many => many.EnumerateArray()
                .Select(s => s.ValueKind == JsonValueKind.String ? s.GetString()! : throw JsonFields.WrongType(param, "a string or an array of strings", s))
                .ToArray(),
            { } other => throw JsonFields.WrongType(param, "a string or an array of strings", other),
        };
        if (stops.Length > MaxStopStrings)
            throw ApiException.BadRequest($"Invalid 'stop': at most {MaxStopStrings} stop strings are allowed, got {stops.Length}.", param);
        if (stops.Any(s => s.Length is 0 or > MaxStopLength))
            throw ApiException.BadRequest($"Invalid 'stop': stop strings must be 1 to {MaxStopLength} characters long.", param);
        return stops;
    }

    private static Dictionary<int, float> ParseLogitBias(JsonFields fields, int vocabSize)
    {
        const string param = "logit_bias";
        var bias = new Dictionary<int, float>();
        if (fields.Object(param) is not { } map)
            return bias;
        foreach (var entry in map.EnumerateObject())
        {
            if (!int.TryParse(entry.Name, out var token) || token < 0 || token >= vocabSize)
                throw ApiException.BadRequest($"Invalid 'logit_bias': '{entry.Name}' is not a token id in [0, {vocabSize}).", param);
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetDouble(out var value))
                throw JsonFields.WrongType(param, "numbers as values", entry.Value);
            bias[token] = Require.Single(Require.Within(value, -100, 100, param), param);
        }
        return bias;
    }
}
