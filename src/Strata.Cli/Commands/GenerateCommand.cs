using System.CommandLine;
using System.Diagnostics;
using Strata.Engine;
using Strata.Engine.Requests;
using Strata.Engine.Sampling;
using Strata.Models;

namespace Strata.Cli.Commands;

/// <summary>
/// <c>strata generate</c>: completes one prompt through the serving engine and writes exactly the generated text to
/// stdout (like llama.cpp's <c>--no-display-prompt</c>); timings go to stderr.
/// </summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var model = ModelOption.Create();
        var prompt = new Option<string>("--prompt", "-p") { Description = "The prompt to complete", Required = true };
        var tokens = new Option<int>("--n-predict", "-n") { Description = "Tokens to generate", DefaultValueFactory = _ => 128 };
        var temperature = new Option<float>("--temp") { Description = "Sampling temperature; 0 is greedy", DefaultValueFactory = _ => 0.8f };
        var topK = new Option<int>("--top-k") { Description = "Keep the k most likely tokens; 0 disables", DefaultValueFactory = _ => 40 };
        var topP = new Option<float>("--top-p") { Description = "Nucleus sampling threshold; 1 disables", DefaultValueFactory = _ => 0.95f };
        var minP = new Option<float>("--min-p") { Description = "Drop tokens below min-p times the best; 0 disables", DefaultValueFactory = _ => 0.05f };
        var repeatPenalty = new Option<float>("--repeat-penalty") { Description = "Penalty for recently seen tokens; 1 disables", DefaultValueFactory = _ => 1f };
        var seed = new Option<ulong?>("--seed", "-s") { Description = "Random seed (default: random)" };
        var threads = ThreadsOption.Create();
        var kvType = KvCacheTypeOption.Create();
        var command = new Command("generate", "Complete a prompt and print the generated text")
        {
            model, prompt, tokens, temperature, topK, topP, minP, repeatPenalty, seed, threads, kvType,
        };
        var speculative = new SpeculativeOptions();
        foreach (var option in speculative.All)
            command.Options.Add(option);
        command.SetAction((result, cancellation) => CliRunner.RunAsync(async () =>
        {
            var text = result.GetValue(prompt)!;
            if (text.Length == 0)
                throw new ArgumentException("the prompt is empty");
            var count = result.GetValue(tokens);
            if (count <= 0)
                throw new ArgumentException($"-n must be positive, got {count}");
            var sampling = new SamplingParams
            {
                Temperature = result.GetValue(temperature),
                TopK = result.GetValue(topK),
                TopP = result.GetValue(topP),
                MinP = result.GetValue(minP),
                RepetitionPenalty = result.GetValue(repeatPenalty),
                Seed = result.GetValue(seed),
                MaxTokens = count,
            };
            sampling.Validate();
            var speculation = speculative.Resolve(result);

            using var loaded = LoadedModel.Load(ModelOption.Resolve(result.GetValue(model)));
            using var engine = InferenceEngine.Start(loaded, EngineSizing.ForOneSequence(loaded, result.GetValue(threads), result.GetValue(kvType)) with { Speculation = speculation });
            var promptTokens = loaded.Tokenizer.Encode(text, addSpecial: true, parseSpecial: true);
            var clock = Stopwatch.StartNew();
            var handle = engine.Submit(new GenerationRequest { PromptTokens = promptTokens, Sampling = sampling }, cancellation);
            var generated = 0;
            var firstToken = TimeSpan.Zero;
            await foreach (var e in handle.Events.ReadAllAsync(CancellationToken.None))
            {
                switch (e)
                {
                    case TokenEvent token:
                        if (generated++ == 0)
                            firstToken = clock.Elapsed;
                        Console.Out.Write(token.Text);
                        break;
                    case FinishEvent finish:
                        Console.Out.Write(finish.Text);
                        generated = finish.CompletionTokens;
                        break;
                }
                Console.Out.Flush();
            }
            var total = clock.Elapsed;
            var decodeRate = generated > 1 ? (generated - 1) / (total - firstToken).TotalSeconds : 0;
            Console.Error.WriteLine();
            Console.Error.WriteLine($"prompt: {promptTokens.Length} tokens, first token after {firstToken.TotalMilliseconds:F0} ms; generated {generated} tokens at {decodeRate:F1} tok/s");
            if (engine.Stats.Speculation is { } spec)
                Console.Error.WriteLine($"speculative ({spec.Method}): {spec.AcceptedTokens} of {spec.DraftTokens} drafts accepted in {engine.Stats.Steps} steps");
            return 0;
        }));
        return command;
    }
}
