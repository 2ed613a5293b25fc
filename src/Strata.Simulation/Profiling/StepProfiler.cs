using System.Diagnostics;
using Strata.Engine;
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

    /// <param name="options">The engine's options as <c>strata serve</c> would run it (threads, KV memory).</param>
    /// <param name="samples">Receives the measured steps the law is fitted on (to check or refit it later).</param>
    public static StepProfile Measure(LoadedModel model, string modelName, EngineOptions options, TextWriter log, List<StepSample> samples)
    {
        using var engine = new RealEngine(model, options);
        var settings = engine.Settings;
        log.WriteLine($"Step budget {settings.MaxBatchedTokens} tokens, {settings.KvBlocks} KV blocks, context {settings.MaxModelLength}");
        var vocabulary = model.Config.VocabSize;
        var random = new Random(0);
        // A first pass warms the JIT and the caches; its steps are not kept.
        Run(engine, (2, 32, 4), settings.MaxModelLength, vocabulary, random, []);
        samples.Clear();
        for (var pass = 0; pass < 2; pass++)
        {
            foreach (var shape in Shapes)
            {
                var before = samples.Count;
                Run(engine, shape, settings.MaxModelLength, vocabulary, random, samples);
                log.WriteLine($"  {shape.Sequences} × ({shape.Prompt} prompt + {shape.Output} output): {samples.Count - before} steps, {samples.Skip(before).Sum(s => s.Seconds):F2} s");
            }
        }
        var blockBytes = model.Model.KvLayout(options.BlockSize, options.KvDataType).BlockBytes;
        var (cost, error) = CostFit.Fit(samples, BlockCopySeconds((int)blockBytes));
        return new StepProfile
        {
            Model = modelName,
            Threads = options.Threads,
            Cost = cost,
            BlockSize = options.BlockSize,
            MaxBatchedTokens = settings.MaxBatchedTokens,
            MaxSequences = settings.MaxSequences,
            KvBlocks = settings.KvBlocks,
            MaxModelLength = settings.MaxModelLength,
            Steps = samples.Count,
            MeanRelativeError = error,
        };
    }

    /// <summary>The shape's requests admitted at once (distinct random prompts, so nothing is a cache hit), run to the end.</summary>
    private static void Run(RealEngine engine, (int Sequences, int Prompt, int Output) shape, int context, int vocabulary, Random random, List<StepSample> samples)
    {
        var output = Math.Min(shape.Output, context / 4);
        var prompt = Math.Min(shape.Prompt, context - output - 1);
        var requests = new SimRequest[shape.Sequences];
        for (var i = 0; i < requests.Length; i++)
            requests[i] = new SimRequest(0, [.. Enumerable.Range(0, prompt).Select(_ => random.Next(1, vocabulary))], output);
        samples.AddRange(engine.Run(requests).Steps);
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
