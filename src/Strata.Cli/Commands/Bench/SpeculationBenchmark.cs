using System.Diagnostics;
using Strata.Engine;
using Strata.Engine.Requests;
using Strata.Engine.Sampling;
using Strata.Engine.Speculation;
using Strata.KvCache;
using Strata.Models;

namespace Strata.Cli.Commands.Bench;

/// <summary>
/// The speculation rows of <c>strata bench</c>: one greedy request at a time through the whole engine (scheduler,
/// sampler, detokenizer, proposers — everything a served request's steps run, HTTP aside) on input-grounded prompts
/// whose text repeats spans of itself, without speculation and with each method. Each configuration gets its own
/// engine, first warmed on another prompt until the JIT has compiled the step's code; then each repetition decodes the
/// next prompt of <see cref="Prompts"/>, one the engine has not seen, so the suffix tree knows only earlier requests.
/// </summary>
internal sealed class SpeculationBenchmark(LoadedModel model, int threads, KvDataType kvType, int tokens, int repetitions)
{
    /// <summary>The prompts of <c>bench/speculation/input-grounded.txt</c>: short stories that repeat their own spans.</summary>
    public static readonly IReadOnlyList<string> Prompts =
    [
        "Lily saw a big red ball in the park. She wanted to play with the ball. Lily saw a big red ball",
        "Tom and Sue went to the shop. They got a toy car and a hat. Tom and Sue went to the shop. They got",
        "The cat sat on the mat. The dog sat on the log. The cat sat on the mat. The dog",
    ];

    private const string WarmUpPrompt = "The sun was hot and the bird sang in the tree.";

    public SpeculationResult Measure(SpeculativeMethod? method)
    {
        var options = EngineSizing.ForOneSequence(model, threads, kvType) with
        {
            Speculation = method is { } m ? new SpeculationOptions { Method = m } : null,
        };
        using var engine = InferenceEngine.Start(model, options);
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 2;
        do
            Decode(engine, WarmUpPrompt);
        while (Stopwatch.GetTimestamp() < deadline);

        var before = engine.Stats.Speculation;
        var rate = 0.0;
        for (var r = 0; r < repetitions; r++)
            rate += Decode(engine, Prompts[r % Prompts.Count]);
        var after = engine.Stats.Speculation;
        return new SpeculationResult(method?.ToString().ToLowerInvariant() ?? "off", rate / repetitions,
            (after?.DraftTokens ?? 0) - (before?.DraftTokens ?? 0), (after?.AcceptedTokens ?? 0) - (before?.AcceptedTokens ?? 0));
    }

    /// <summary>Decodes the benchmark's token count after <paramref name="prompt"/>; returns tokens per second after the first.</summary>
    private double Decode(InferenceEngine engine, string prompt)
    {
        var promptTokens = model.Tokenizer.Encode(prompt, addSpecial: true, parseSpecial: false);
        var request = new GenerationRequest { PromptTokens = promptTokens, Sampling = SamplingParams.Greedy with { MaxTokens = tokens, IgnoreEos = true } };
        var handle = engine.Submit(request);
        long first = 0;
        var generated = 0;
        while (handle.Events.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (handle.Events.TryRead(out var e))
            {
                if (e is TokenEvent && generated++ == 0)
                    first = Stopwatch.GetTimestamp();
                else if (e is FinishEvent finish)
                    generated = finish.CompletionTokens;
            }
        }
        return generated > 1 ? (generated - 1) / Stopwatch.GetElapsedTime(first).TotalSeconds : 0;
    }
}
