using System.Collections.Concurrent;
using Strata.Models.Gguf;
using Strata.Models.Tokenizers;
using Strata.TestSupport;

namespace Strata.Models.Tests.Tokenizers;

/// <summary>Tokenizers loaded once per test run (vocabularies take tens of milliseconds to load).</summary>
internal static class TestTokenizers
{
    private static readonly ConcurrentDictionary<string, Lazy<Tokenizer>> Cache = new();

    /// <summary>The tokenizer of <c>ggml-vocab-{vocab}.gguf</c> in ../shared/models.</summary>
    public static Tokenizer Vocab(string vocab) => File($"ggml-vocab-{vocab}.gguf");

    public static Tokenizer File(string fileName) => Cached(fileName, () => Load(SharedData.Model(fileName)));

    public static Tokenizer Cached(string key, Func<Tokenizer> load) =>
        Cache.GetOrAdd(key, _ => new Lazy<Tokenizer>(load)).Value;

    public static Tokenizer Load(string path)
    {
        using var file = GgufFile.Open(path);
        return Tokenizer.FromGguf(file.Metadata);
    }
}
