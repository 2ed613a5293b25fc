using System.CommandLine;
using Strata.Kernels.Quant;
using Strata.Models.Synth;

namespace Strata.Cli.Commands;

/// <summary><c>strata synth</c>: writes a random-weight model of a real shape for benchmarks.</summary>
internal static class SynthCommand
{
    public static Command Create()
    {
        var shape = new Option<string?>("--shape") { Description = "A named shape: 1b (852M parameters) or 300m" };
        var dims = new Option<string?>("--dims") { Description = "Explicit shape: embd,layers,heads,kv_heads,ffn" };
        var context = new Option<int?>("--ctx") { Description = "Context length written to the metadata (default 2048)" };
        var type = new Option<string>("--type") { Description = "Weight type: f32, f16, bf16, q8_0, q4_0, q4_1, q5_0, q5_1, q2_k … q6_k", Required = true };
        var arch = new Option<string>("--arch") { Description = "llama (SentencePiece vocabulary), qwen2 (BPE vocabulary, QKV biases) or qwen3 (BPE vocabulary, q/k norms)", DefaultValueFactory = _ => "llama" };
        var headDim = new Option<int?>("--head-dim") { Description = "Attention head width (default: embd / heads)" };
        var seed = new Option<int>("--seed") { Description = "Random seed", DefaultValueFactory = _ => 1 };
        var vocab = new Option<string?>("--vocab")
        {
            Description = "GGUF whose tokenizer is copied (a vocab-only file is enough) [default: ggml-vocab-llama-spm.gguf or ggml-vocab-gpt-2.gguf "
                + "where the default model is searched for, else a built-in vocabulary]",
        };
        var output = new Option<string>("--output", "-o") { Description = "Output GGUF path", Required = true };
        var command = new Command("synth", "Write a random-weight GGUF model of a real shape and vocabulary") { shape, dims, context, type, arch, headDim, seed, vocab, output };
        command.SetAction(result => CliRunner.Run(() =>
        {
            var contextLength = result.GetValue(context) ?? 2048;
            if (contextLength < 1)
                throw new ArgumentException("--ctx must be positive");
            var chosen = (result.GetValue(shape), result.GetValue(dims)) switch
            {
                ({ } name, null) => SyntheticShape.Named(name) with { ContextLength = contextLength },
                (null, { } d) => SyntheticShape.Parse(d, contextLength),
                _ => throw new ArgumentException("give exactly one of --shape or --dims"),
            };
            if (result.GetValue(headDim) is { } width)
                chosen = width > 0 ? chosen with { HeadDim = width } : throw new ArgumentException("--head-dim must be positive");
            var architecture = result.GetValue(arch)!;
            var writer = new SyntheticModelWriter
            {
                Architecture = architecture,
                Shape = chosen,
                WeightType = ParseType(result.GetValue(type)!),
                VocabularyFile = result.GetValue(vocab) ?? SharedModels.Find(architecture == "llama" ? "ggml-vocab-llama-spm.gguf" : "ggml-vocab-gpt-2.gguf"),
                Seed = result.GetValue(seed),
            };
            var path = result.GetValue(output)!;
            writer.Write(path);
            Console.Error.WriteLine($"wrote {path} ({new FileInfo(path).Length / (1024.0 * 1024):F1} MiB, vocabulary: {writer.VocabularyFile ?? "built-in"})");
            return 0;
        }));
        return command;
    }

    private static TensorType ParseType(string name) =>
        Enum.TryParse<TensorType>(name, ignoreCase: true, out var type) && SyntheticModelWriter.WeightTypes.Contains(type)
            ? type
            : throw new ArgumentException($"unknown or unsupported --type '{name}'");
}
