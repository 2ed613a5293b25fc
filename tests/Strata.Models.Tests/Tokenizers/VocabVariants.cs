using Strata.Models.Gguf;
using Strata.Models.Tokenizers;
using Strata.TestSupport;

namespace Strata.Models.Tests.Tokenizers;

/// <summary>
/// Vocabularies we cannot ship (Llama 3, Qwen2, ...) are tested through the GPT-2 vocabulary with another
/// pre-tokenizer name: a temporary copy of <c>ggml-vocab-gpt-2.gguf</c> is written with every metadata key kept but
/// <c>tokenizer.ggml.pre</c>. The expected ids come from llama.cpp's <c>llama-tokenize</c> on the same copy.
/// </summary>
internal static class VocabVariants
{
    public const string ConfigPrefix = "gpt-2-as-";

    /// <summary>A test configuration's tokenizer: a shared vocabulary, or <c>gpt-2-as-{pre}</c> ("none" drops the key).</summary>
    public static Tokenizer ForConfig(string config) =>
        config.StartsWith(ConfigPrefix, StringComparison.Ordinal)
            ? TestTokenizers.Cached(config, () => Gpt2WithPre(config[ConfigPrefix.Length..]))
            : TestTokenizers.Vocab(config);

    private static Tokenizer Gpt2WithPre(string pre)
    {
        var path = Path.Combine(Path.GetTempPath(), $"strata-{Environment.ProcessId}-{ConfigPrefix}{pre}.gguf");
        try
        {
            using (var source = GgufFile.Open(SharedData.Model("ggml-vocab-gpt-2.gguf")))
            {
                var writer = new GgufWriter();
                foreach (var (key, value) in source.Metadata.Entries.Where(e => e.Key != "tokenizer.ggml.pre"))
                    writer.Add(key, value);
                if (pre != "none")
                    writer.Add("tokenizer.ggml.pre", GgufValue.Of(pre));
                writer.Write(path);
            }
            return TestTokenizers.Load(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
