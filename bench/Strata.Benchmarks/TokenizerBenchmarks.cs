using BenchmarkDotNet.Attributes;
using Strata.Models.Gguf;
using Strata.Models.Tokenizers;

namespace Strata.Benchmarks;

/// <summary>Encoding speed of a 10 KB prompt and of one 64 KB word (the case a quadratic merge loop would blow up on).</summary>
[MemoryDiagnoser]
public class TokenizerBenchmarks
{
    private Tokenizer _tokenizer = null!;
    private string _prompt = null!;
    private string _longWord = null!;

    [Params("ggml-vocab-llama-spm.gguf", "ggml-vocab-gpt-2.gguf", "ggml-vocab-bert-bge.gguf")]
    public string Vocabulary { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        using var file = GgufFile.Open(SharedModel(Vocabulary));
        _tokenizer = Tokenizer.FromGguf(file.Metadata);
        var sentence = "The quick brown fox, who was 42 years old, jumped over the lazy dog's kennel! ";
        _prompt = string.Concat(Enumerable.Repeat(sentence, 10_000 / sentence.Length + 1));
        _longWord = string.Concat(Enumerable.Repeat("abcdefghij", 6_500));
    }

    [Benchmark]
    public int Encode10KbPrompt() => _tokenizer.Encode(_prompt, addSpecial: true, parseSpecial: true).Length;

    [Benchmark]
    public int Encode64KbWord() => _tokenizer.Encode(_longWord, addSpecial: false, parseSpecial: false).Length;

    public static string SharedModelPath(string fileName) => SharedModel(fileName);

    private static string SharedModel(string fileName)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Strata.slnx")))
                return Path.Combine(dir.FullName, "..", "shared", "models", fileName);
        }
        throw new FileNotFoundException("Strata.slnx not found above " + AppContext.BaseDirectory);
    }
}
