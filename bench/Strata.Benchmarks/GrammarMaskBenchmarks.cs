using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Strata.Engine.Constraints;
using Strata.Grammar;
using Strata.Grammar.Json;
using Strata.Models.Gguf;
using Strata.Models.Tokenizers;

namespace Strata.Benchmarks;

/// <summary>
/// The grammar mask per generated token at the Llama 2 vocabulary (32,000 tokens): masking the logits and accepting
/// the token, over a JSON document that follows a schema. Warm: the grammar's states were seen before (every request
/// after the first with the same schema). Cold: a fresh grammar, every state's mask computed by a walk of the token
/// trie (the first request with a new schema). Results are per token (OperationsPerInvoke).
/// </summary>
[MemoryDiagnoser]
public class GrammarMaskBenchmarks
{
    private const string Schema = """
        {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"},
         "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 8}, "address": {"type": "object",
         "properties": {"city": {"type": "string"}, "zip": {"type": "string"}}, "required": ["city", "zip"]}},
         "required": ["name", "age", "tags", "address"]}
        """;

    private const string Document = """{"name": "Ada Lovelace, Countess of Lovelace", "age": 36, "tags": ["mathematician", "writer", "analyst"], "address": {"city": "London", "zip": "W1"}}""";

    private const int Tokens = 40;

    private CompiledGrammar _grammar = null!;
    private TokenVocabulary _vocabulary = null!;
    private TokenGrammar _warm = null!;
    private int[] _tokens = null!;
    private float[] _logits = null!;

    [GlobalSetup]
    public void Setup()
    {
        using var file = GgufFile.Open(SharedModel("ggml-vocab-llama-spm.gguf"));
        var tokenizer = Tokenizer.FromGguf(file.Metadata);
        _vocabulary = TokenVocabularies.For(tokenizer);
        _grammar = CompiledGrammar.FromGbnf(JsonSchemaCompiler.ToGbnf(JsonDocument.Parse(Schema).RootElement));
        _tokens = LongestMatchTokens(Document, _vocabulary.Count, tokenizer)[..Tokens];
        _logits = new float[_vocabulary.Count];
        _warm = new TokenGrammar(_grammar, _vocabulary);
        Run(_warm);
    }

    [Benchmark(OperationsPerInvoke = Tokens)]
    public int MaskAndAcceptWarm() => Run(_warm);

    [Benchmark(OperationsPerInvoke = Tokens)]
    public int MaskAndAcceptCold() => Run(new TokenGrammar(_grammar, _vocabulary));

    private int Run(TokenGrammar grammar)
    {
        var matcher = grammar.CreateMatcher();
        foreach (var token in _tokens)
        {
            matcher.MaskLogits(_logits);
            if (!matcher.Accept(token))
                throw new InvalidOperationException($"token {token} refused");
        }
        return matcher.AcceptedTokens;
    }

    /// <summary>The document as the longest vocabulary pieces that spell it, as a model would write it.</summary>
    private static int[] LongestMatchTokens(string text, int vocabulary, Tokenizer tokenizer)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var pieces = Enumerable.Range(0, vocabulary).Select(id => tokenizer.PieceBytes(id).ToArray()).ToArray();
        var tokens = new List<int>();
        for (var at = 0; at < bytes.Length;)
        {
            var best = -1;
            for (var id = 0; id < pieces.Length; id++)
            {
                if (pieces[id].Length > 0 && (best < 0 || pieces[id].Length > pieces[best].Length) && bytes.AsSpan(at).StartsWith(pieces[id]))
                    best = id;
            }
            tokens.Add(best);
            at += pieces[best].Length;
        }
        return [.. tokens];
    }

    private static string SharedModel(string fileName)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Strata.slnx")))
                return Path.Combine(dir.FullName, "..", "shared", "models", fileName);
        }
        throw new InvalidOperationException("Strata.slnx not found");
    }
}
