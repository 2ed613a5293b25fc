using BenchmarkDotNet.Attributes;
using Strata.Engine.Guard;
using Strata.Models.Gguf;
using Strata.Models.Tokenizers;

namespace Strata.Benchmarks;

/// <summary>
/// What the content guard costs the engine thread per generated token: a 96-token reply pushed through a guard
/// session with guard-policy.json (17 phrases, 3 patterns, a classifier every 16 tokens), and the classifier's
/// work per window (on its own thread in the server). Results are per token (OperationsPerInvoke).
/// </summary>
[MemoryDiagnoser]
public class GuardBenchmarks
{
    private const string Reply =
        "Once upon a time, there was a little girl named Lily. She loved to play outside in the park with her friends. " +
        "One day, she saw a big red ball under a tree and asked her mom if she could take it home. Her mom smiled and " +
        "said yes, so Lily ran all the way back with the ball, laughing, and they played until the sun went down.";

    private ContentGuard _guard = null!;
    private string[] _pieces = null!;

    [GlobalSetup]
    public void Setup()
    {
        using var file = GgufFile.Open(TokenizerBenchmarks.SharedModelPath("ggml-vocab-llama-spm.gguf"));
        var tokenizer = Tokenizer.FromGguf(file.Metadata);
        var policy = GuardPolicy.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "guard-policy.json")));
        // Synchronous scoring here: this measures the engine thread's part; the classifier is measured apart.
        _guard = new ContentGuard(policy with { Classifier = null }, tokenizer);
        Classifier = policy.Classifier!;
        _pieces = tokenizer.Encode(Reply, addSpecial: false, parseSpecial: false).Select(t => System.Text.Encoding.UTF8.GetString(tokenizer.PieceBytes(t))).ToArray();
    }

    private ClassifierSettings Classifier { get; set; } = null!;

    [GlobalCleanup]
    public void Cleanup() => _guard.Dispose();

    [Benchmark(OperationsPerInvoke = 96)]
    public int SessionPerToken()
    {
        var session = _guard.CreateSession([]);
        var released = 0;
        for (var i = 0; i < 96; i++)
            released += session.Push(_pieces[i % _pieces.Length]).Length;
        return released + session.Flush().Length;
    }

    [Benchmark]
    public float ClassifierPerWindow() => Classifier.Classifier.Score(Reply[..Math.Min(Reply.Length, 320)]);
}
