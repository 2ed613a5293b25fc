using Strata.Models.Tokenizers;

namespace Strata.Engine.Guard;

/// <summary>
/// The content guard beside decoding: per sequence a <see cref="GuardSession"/> that holds back and checks the
/// detokenized stream, banned token sequences for the sampler, and one classifier thread shared by all sequences.
/// </summary>
public sealed class ContentGuard : IDisposable
{
    private readonly List<GuardRule<int[]>> _tokenSequences;
    private readonly ClassifierWorker? _worker;

    public ContentGuard(GuardPolicy policy, Tokenizer tokenizer)
    {
        Policy = policy;
        _tokenSequences = policy.TokenSequences.SelectMany(rule => Tokenize(rule, tokenizer)).ToList();
        _worker = policy.Classifier is { } classifier ? new ClassifierWorker(classifier, Stats) : null;
    }

    public GuardPolicy Policy { get; }

    public GuardStats Stats { get; } = new();

    /// <exception cref="FormatException">The file is not a valid guard policy.</exception>
    public static ContentGuard Load(string path, Tokenizer tokenizer) => new(GuardPolicy.Parse(File.ReadAllText(path)), tokenizer);

    /// <summary>The banned token sequences that apply to a request opted in to <paramref name="categories"/>.</summary>
    public IReadOnlyList<int[]> BannedTokenSequences(IReadOnlyCollection<string> categories) =>
        _tokenSequences.Where(r => Policy.Applies(r.Category, categories)).Select(r => r.Value).ToList();

    internal GuardSession CreateSession(IReadOnlyCollection<string> categories) => new(Policy, categories, _worker, Stats);

    public void Dispose() => _worker?.Dispose();

    // Text is banned as vLLM's bad_words are: as it tokenizes on its own and after a space.
    private static IEnumerable<GuardRule<int[]>> Tokenize(GuardRule<object> rule, Tokenizer tokenizer)
    {
        if (rule.Value is int[] ids)
            return [new GuardRule<int[]>(ids, rule.Category)];
        var text = (string)rule.Value;
        return new[] { text, " " + text }
            .Select(t => tokenizer.Encode(t, addSpecial: false, parseSpecial: false))
            .Where(t => t.Length > 0)
            .DistinctBy(t => string.Join(',', t))
            .Select(t => new GuardRule<int[]>(t, rule.Category));
    }
}
