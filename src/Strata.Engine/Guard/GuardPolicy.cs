using System.Text.Json;
using System.Text.RegularExpressions;

namespace Strata.Engine.Guard;

/// <summary>
/// What the content guard bans, read from the <c>--guard</c> JSON file:
/// <c>banned_phrases</c> (strings, case-insensitive), <c>banned_patterns</c> (.NET regular expressions),
/// <c>banned_token_sequences</c> (token id arrays, or strings tokenized as vLLM's <c>bad_words</c> are), each entry
/// a value or <c>{"value": …, "category": …}</c>; <c>classifier</c> (<c>{"type": "decision_tree", "every_tokens",
/// "context_chars", "threshold", "category", "features", "tree"}</c>); <c>opt_in_categories</c> (rules that apply only
/// to requests that name their category); <c>pattern_window_chars</c> (how far back patterns look, and how much
/// text they hold back).
/// </summary>
public sealed record GuardPolicy
{
    public const string DefaultCategory = "default";

    public IReadOnlyList<GuardRule<string>> Phrases { get; init; } = [];

    public IReadOnlyList<GuardRule<Regex>> Patterns { get; init; } = [];

    /// <summary>Token id sequences, or text to tokenize (<see cref="GuardRule{T}.Value"/> is then a string).</summary>
    public IReadOnlyList<GuardRule<object>> TokenSequences { get; init; } = [];

    public ClassifierSettings? Classifier { get; init; }

    public IReadOnlySet<string> OptInCategories { get; init; } = new HashSet<string>();

    public int PatternWindowChars { get; init; } = 32;

    /// <summary>Whether a rule of <paramref name="category"/> applies to a request that opted in to <paramref name="optedIn"/>.</summary>
    public bool Applies(string category, IReadOnlyCollection<string> optedIn) => !OptInCategories.Contains(category) || optedIn.Contains(category);

    /// <exception cref="FormatException">The file is not a valid guard policy; the message says what is wrong.</exception>
    public static GuardPolicy Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            return new GuardPolicy
            {
                Phrases = Rules(root, "banned_phrases", v => v.GetString() is { Length: > 0 } s ? s : throw new FormatException("banned phrases must be non-empty strings")),
                Patterns = Rules(root, "banned_patterns", v => Pattern(v.GetString()!)),
                TokenSequences = Rules<object>(root, "banned_token_sequences", v => v.ValueKind == JsonValueKind.Array
                    ? v.EnumerateArray().Select(t => t.GetInt32()).ToArray() is { Length: > 0 } ids ? ids : throw new FormatException("banned token sequences must not be empty")
                    : v.GetString() is { Length: > 0 } text ? text : throw new FormatException("banned token sequences must be id arrays or non-empty strings")),
                Classifier = root.TryGetProperty("classifier", out var classifier) ? ReadClassifier(classifier) : null,
                OptInCategories = root.TryGetProperty("opt_in_categories", out var optIn) ? optIn.EnumerateArray().Select(c => c.GetString()!).ToHashSet() : [],
                PatternWindowChars = root.TryGetProperty("pattern_window_chars", out var window) ? window.GetInt32() : 32,
            };
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or ArgumentException)
        {
            throw new FormatException($"invalid guard policy: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Patterns run on every token of every guarded sequence, so they must never backtrack for long: linear-time
    /// matching where the pattern allows it, otherwise a timeout (a timed-out match counts as a violation).
    /// </summary>
    private static Regex Pattern(string pattern)
    {
        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
        }
        catch (NotSupportedException)
        {
            return new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled, TimeSpan.FromSeconds(1));
        }
    }

    private static List<GuardRule<T>> Rules<T>(JsonElement root, string name, Func<JsonElement, T> read)
    {
        if (!root.TryGetProperty(name, out var array))
            return [];
        return array.EnumerateArray().Select(entry => entry.ValueKind == JsonValueKind.Object
            ? new GuardRule<T>(read(entry.GetProperty("value")), entry.TryGetProperty("category", out var c) ? c.GetString()! : DefaultCategory)
            : new GuardRule<T>(read(entry), DefaultCategory)).ToList();
    }

    private static ClassifierSettings ReadClassifier(JsonElement settings)
    {
        var type = settings.GetProperty("type").GetString();
        IContentClassifier classifier = type switch
        {
            "decision_tree" => DecisionTreeClassifier.FromJson(settings),
            _ => throw new FormatException($"unknown classifier type '{type}' (known: decision_tree)"),
        };
        var every = settings.TryGetProperty("every_tokens", out var e) ? e.GetInt32() : 16;
        if (every < 1)
            throw new FormatException("classifier.every_tokens must be at least 1");
        return new ClassifierSettings(classifier, every,
            settings.TryGetProperty("context_chars", out var c) ? c.GetInt32() : 256,
            settings.TryGetProperty("threshold", out var t) ? t.GetSingle() : 0.5f,
            settings.TryGetProperty("category", out var cat) ? cat.GetString()! : DefaultCategory);
    }
}
