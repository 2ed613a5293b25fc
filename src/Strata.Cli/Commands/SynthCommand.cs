using System.CommandLine;
using Strata.Kernels.Experts;
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
        var type = new Option<string>("--type")
        {
            Description = "Weight type of every matrix (f32, f16, bf16, q8_0, q4_0, q4_1, q5_0, q5_1, q2_k … q6_k) or a llama-quantize mix (q4_k_m, q5_k_m, q3_k_m, q2_k_mix)",
            Required = true,
        };
        var arch = new Option<string>("--arch")
        {
            Description = "llama (SentencePiece vocabulary), qwen2 (BPE vocabulary, QKV biases), qwen3 (BPE vocabulary, q/k norms), "
                + "or sparse: mixtral (llama with experts), qwen2moe, qwen3moe, deepseek2 (latent attention, shared experts)",
            DefaultValueFactory = _ => "llama",
        };
        var headDim = new Option<int?>("--head-dim") { Description = "Attention head width (default: embd / heads)" };
        var experts = new Option<int?>("--experts") { Description = "Sparse architectures: routed experts per layer (default 8); ffn is one expert's width" };
        var used = new Option<int?>("--experts-used") { Description = "Sparse architectures: experts per token (default 2)" };
        var shared = new Option<int?>("--shared-experts") { Description = "Shared experts of the routed width (default: qwen2moe 1, deepseek2 2, else 0)" };
        var denseLayers = new Option<int?>("--dense-layers") { Description = "deepseek2: leading layers with a dense feed-forward network (default 1)" };
        var gating = new Option<string?>("--expert-gating") { Description = "deepseek2: softmax (default) or sigmoid (with a selection bias, normalised weights scaled by 2.5)" };
        var queryRank = new Option<int?>("--q-lora-rank") { Description = "deepseek2: rank of the compressed query (default embd / 2; 0: a direct query projection, which llama.cpp loads only with 26 or 27 layers)" };
        var copying = new Option<bool>("--copying")
        {
            Description = "llama: weights with a copying circuit (a previous-token head, induction heads, the other layers' outputs scaled down) "
                + "so that greedy output repeats spans of the prompt as trained models' does; same tensors and sizes, RoPE base 1e6",
        };
        var seed = new Option<int>("--seed") { Description = "Random seed", DefaultValueFactory = _ => 1 };
        var vocab = new Option<string?>("--vocab")
        {
            Description = "GGUF whose tokenizer is copied (a vocab-only file is enough) [default: the family's vocab-only file "
                + "(ggml-vocab-llama-spm, -gpt-2 or -deepseek-llm.gguf) where the default model is searched for, else a built-in vocabulary]",
        };
        var output = new Option<string>("--output", "-o") { Description = "Output GGUF path", Required = true };
        var command = new Command("synth", "Write a random-weight GGUF model of a real shape and vocabulary")
        {
            shape, dims, context, type, arch, headDim, experts, used, shared, denseLayers, gating, queryRank, copying, vocab, seed, output,
        };
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
            if (!SyntheticModelWriter.Architectures.Contains(architecture))
                throw new ArgumentException($"unknown --arch '{architecture}' (known: {string.Join(", ", SyntheticModelWriter.Architectures)})");
            var defaults = SyntheticExperts.For(architecture);
            var typeName = result.GetValue(type)!;
            var mix = QuantizationMix.Named(typeName);
            var writer = new SyntheticModelWriter
            {
                Architecture = architecture,
                Shape = chosen,
                WeightType = mix?.BaseType ?? ParseType(typeName),
                Mix = mix,
                VocabularyFile = result.GetValue(vocab) ?? SharedModels.Find(SyntheticModelWriter.VocabularyFor(architecture)),
                Seed = result.GetValue(seed),
                Copying = result.GetValue(copying),
                Experts = new SyntheticExperts(
                    result.GetValue(experts) ?? defaults.Count,
                    result.GetValue(used) ?? defaults.Used,
                    result.GetValue(shared) ?? defaults.Shared,
                    result.GetValue(denseLayers) ?? defaults.LeadingDenseLayers,
                    result.GetValue(gating) switch
                    {
                        null or "softmax" => ExpertGating.Softmax,
                        "sigmoid" => ExpertGating.Sigmoid,
                        var other => throw new ArgumentException($"unknown --expert-gating '{other}' (softmax or sigmoid)"),
                    }),
                QueryRank = result.GetValue(queryRank) is not { } rank || rank >= 0 ? result.GetValue(queryRank) : throw new ArgumentException("--q-lora-rank must not be negative"),
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
