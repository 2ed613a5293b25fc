using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Strata.Engine;
using Strata.Engine.Core;
using Strata.Engine.Requests;
using Strata.Engine.Running;
using Strata.Engine.Sampling;
using Strata.Models;

namespace Strata.Simulation.Profiling;

/// <summary>
/// Measures the step cost law of this engine on this machine: the engine is built exactly as <c>strata serve</c>
/// builds it (default KV memory, the step budget measured at start-up), batches of several shapes run through the real
/// core and model runner, and the cost terms are fitted to the steps' records. Block loads are timed as the copy of
/// one block's payload into the KV memory, which is what a tier load costs the engine thread.
/// </summary>
internal static class StepProfiler
{
    /// <summary>Requests run together, their prompt and output lengths: single long prompts, wide decode batches, and mixes.</summary>
    private static readonly (int Sequences, int Prompt, int Output)[] Shapes =
        [(1, 256, 16), (4, 768, 12), (8, 48, 24), (16, 16, 20), (32, 16, 16), (2, 16, 40), (12, 160, 8)];

    public static StepProfile Measure(LoadedModel model, string modelName, int threads, TextWriter log)
    {
        var options = new EngineOptions { Threads = threads };
        using var parts = EngineBuilder.Build(model, options, TimeProvider.System, static () => { }, NullLoggerFactory.Instance, null);
        log.WriteLine($"Step budget {parts.MaxBatchedTokens} tokens, {parts.BlockCount} KV blocks, context {parts.MaxModelLength}");
        var vocabulary = model.Config.VocabSize;
        var random = new Random(0);
        // A first pass warms the JIT and the caches; its steps are not kept.
        Run(parts.Core, (2, 32, 4), parts.MaxModelLength, vocabulary, random, []);
        var samples = new List<StepSample>();
        for (var pass = 0; pass < 2; pass++)
        {
            foreach (var shape in Shapes)
            {
                var before = samples.Count;
                Run(parts.Core, shape, parts.MaxModelLength, vocabulary, random, samples);
                log.WriteLine($"  {shape.Sequences} × ({shape.Prompt} prompt + {shape.Output} output): {samples.Count - before} steps, {samples.Skip(before).Sum(s => s.Seconds):F2} s");
            }
        }
        var blockBytes = model.Model.KvLayout(options.BlockSize, options.KvDataType).BlockBytes;
        var (cost, used, error) = CostFit.Fit(samples, BlockCopySeconds((int)blockBytes));
        return new StepProfile
        {
            Model = modelName,
            Threads = threads,
            Cost = cost,
            BlockSize = options.BlockSize,
            MaxBatchedTokens = parts.MaxBatchedTokens,
            MaxSequences = options.MaxSequences,
            KvBlocks = parts.BlockCount,
            MaxModelLength = parts.MaxModelLength,
            Steps = used,
            MeanRelativeError = error,
        };
    }

    /// <summary>Admits the shape's requests at once (distinct random prompts, so nothing is a cache hit) and steps until all are done.</summary>
    private static void Run(EngineCore core, (int Sequences, int Prompt, int Output) shape, int context, int vocabulary, Random random, List<StepSample> samples)
    {
        var output = Math.Min(shape.Output, context / 4);
        var prompt = Math.Min(shape.Prompt, context - output - 1);
        for (var i = 0; i < shape.Sequences; i++)
        {
            var tokens = new int[prompt];
            for (var t = 0; t < prompt; t++)
                tokens[t] = random.Next(1, vocabulary);
            var request = new GenerationRequest { PromptTokens = tokens, Sampling = new SamplingParams { Temperature = 0, MaxTokens = output, IgnoreEos = true } };
            var state = new RequestState($"profile-{i}", TimeProvider.System.GetTimestamp(), request, 0, default);
            state.CreateHandle();
            core.Admit(state);
        }
        while (core.HasWork)
        {
            if (core.Step() is { } r)
                samples.Add(new StepSample(r.PrefillTokens, r.DecodeSequences, r.ContextTokens, r.Seconds));
        }
    }

    /// <summary>Median time to copy one block's payload between buffers too large to stay in the CPU caches.</summary>
    private static double BlockCopySeconds(int blockBytes)
    {
        const int Blocks = 256;
        var source = new byte[Blocks * blockBytes];
        var target = new byte[Blocks * blockBytes];
        Random.Shared.NextBytes(source);
        var times = new double[9];
        for (var round = 0; round < times.Length; round++)
        {
            var clock = Stopwatch.StartNew();
            for (var b = 0; b < Blocks; b++)
                source.AsSpan(b * blockBytes, blockBytes).CopyTo(target.AsSpan(((b * 7) % Blocks) * blockBytes, blockBytes));
            times[round] = clock.Elapsed.TotalSeconds / Blocks;
        }
        Array.Sort(times);
        return times[times.Length / 2];
    }
}
