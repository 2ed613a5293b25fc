using System.Diagnostics;
using Strata.Engine;
using Strata.Models;

namespace Strata.Simulation.Profiling;

/// <summary>
/// Measures the step cost law of this engine on this machine: the engine is built exactly as <c>strata serve</c>
/// builds it (default KV memory, the step budget measured at start-up), and runs shapes that each vary one term of the
/// law with the others held still, so the fit can tell the terms apart: lone prompt chunks of several sizes at no
/// context (per prefill token), a long prompt's chunks at a growing context (its attention), lone decodes at several
/// contexts (per context token; their prompts find the long prompt's blocks in the prefix cache, so a decode at 1,024
/// positions costs no 1,024-token prefill), short questions after a cached prefix of the long prompt (a prefix hit's
/// step: a short chunk's attention over a long cached context), and decode batches of several sizes at one short
/// context (per decoding sequence), then a mix of prompt chunks and decodes. Block loads are timed as the copy of one block's payload into
/// the KV memory, which is what a tier load costs the engine thread.
/// </summary>
internal static class StepProfiler
{
    private static readonly int[] ChunkSizes = [8, 16, 32, 48, 64];
    private static readonly int[] DecodeContexts = [128, 512, 1024];
    private static readonly int[] DecodeBatches = [1, 2, 4, 8, 16];
    private static readonly int[] CachedPrefixes = [128, 384, 1024];
    private const int HitQuestion = 32;
    private const int LongPrompt = 1040;
    private const int DecodeSteps = 24;

    /// <param name="options">The engine's options as <c>strata serve</c> would run it (threads, KV memory).</param>
    /// <param name="samples">Receives the measured steps the law is fitted on (to check or refit it later).</param>
    public static StepProfile Measure(LoadedModel model, string modelName, EngineOptions options, TextWriter log, List<StepSample> samples)
    {
        using var engine = new RealEngine(model, options);
        var settings = engine.Settings;
        log.WriteLine($"Step budget {settings.MaxBatchedTokens} tokens, {settings.KvBlocks} KV blocks, context {settings.MaxModelLength}");
        var shapes = new Shapes(engine, model.Config.VocabSize, settings.MaxModelLength, log, samples);
        // A first pass warms the JIT and the caches; its steps are not kept.
        shapes.Run("warm-up", [.. Enumerable.Range(0, 4).Select(_ => shapes.Request(48, 8))]);
        samples.Clear();
        for (var pass = 0; pass < 2; pass++)
            shapes.RunAll();
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

    /// <summary>The profile's shapes on one engine, with distinct random prompts (nothing a cache hit unless meant to be).</summary>
    private sealed class Shapes(RealEngine engine, int vocabulary, int context, TextWriter log, List<StepSample> samples)
    {
        private readonly Random _random = new(0);

        public void RunAll()
        {
            foreach (var size in ChunkSizes)
                Run($"lone {size}-token prompt chunks", [.. Enumerable.Range(0, 3).Select(_ => Request(size, 1))], alone: true);
            var longPrompt = Tokens(Math.Min(LongPrompt, context - DecodeSteps - 2));
            Run($"one {longPrompt.Length}-token prompt", [new SimRequest(0, longPrompt, 1)]);
            foreach (var position in DecodeContexts.Where(c => c < longPrompt.Length))
                Run($"lone decodes at {position} positions", [new SimRequest(0, [.. longPrompt.AsSpan(0, position), .. Tokens(1)], DecodeSteps)]);
            foreach (var position in CachedPrefixes.Where(c => c < longPrompt.Length))
                Run($"{HitQuestion}-token prompts after {position} cached positions",
                    [.. Enumerable.Range(0, 3).Select(_ => new SimRequest(0, [.. longPrompt.AsSpan(0, position), .. Tokens(HitQuestion)], 2))], alone: true);
            foreach (var batch in DecodeBatches)
                Run($"{batch} decodes of 16-token prompts", [.. Enumerable.Range(0, batch).Select(_ => Request(16, DecodeSteps))]);
            Run("6 64-token prompts and their decodes", [.. Enumerable.Range(0, 6).Select(_ => Request(64, 16))]);
        }

        public SimRequest Request(int prompt, int output) => new(0, Tokens(prompt), output);

        /// <summary>Runs the requests together (or, <paramref name="alone"/>, one after another) and keeps their steps.</summary>
        public void Run(string name, SimRequest[] requests, bool alone = false)
        {
            var before = samples.Count;
            foreach (var batch in alone ? requests.Select(r => new[] { r }) : [requests])
                samples.AddRange(engine.Run(batch).Steps);
            log.WriteLine($"  {name}: {samples.Count - before} steps, {samples.Skip(before).Sum(s => s.Seconds):F2} s");
        }

        private int[] Tokens(int count) => [.. Enumerable.Range(0, count).Select(_ => _random.Next(1, vocabulary))];
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
