using System.Diagnostics;
using Strata.Kernels.Threading;
using Strata.Models;
using Strata.Models.Kv;
using Strata.Models.Llama;

namespace Strata.Engine.Running;

/// <summary>
/// Derives the per-step token budget from a measured prefill: a step that mixes running decodes with prompt chunks
/// should take about <see cref="EngineOptions.TargetStepTime"/>, because every running stream waits for the whole
/// step before its next token. Larger budgets prefill faster; smaller ones stream more smoothly.
/// </summary>
internal static class StepBudget
{
    private const int ProbeTokens = 64;
    private const int Minimum = 64;
    private const int Maximum = 4096;

    /// <summary>The budget whose prefill takes <see cref="EngineOptions.TargetStepTime"/> at <paramref name="secondsPerToken"/>.</summary>
    public static int For(double secondsPerToken, EngineOptions options) =>
        (int)Math.Clamp(options.TargetStepTime.TotalSeconds / secondsPerToken, Minimum, Maximum);

    /// <summary>Seconds per token of a timed 64-token prefill (after a warm-up one).</summary>
    public static double MeasureSecondsPerToken(LlamaModel model, KvBuffer kv, ComputePool pool)
    {
        var tokens = Math.Min(ProbeTokens, kv.BlockCount * kv.Layout.BlockSize);
        var table = Enumerable.Range(0, (tokens + kv.Layout.BlockSize - 1) / kv.Layout.BlockSize).ToArray();
        var batch = new ForwardBatch();
        var sequence = batch.AddSequence(table);
        for (var i = 0; i < tokens; i++)
            batch.AddToken(sequence, i % model.Config.VocabSize, i, wantLogits: i == tokens - 1);

        model.Forward(batch, kv, pool);
        var clock = Stopwatch.StartNew();
        model.Forward(batch, kv, pool);
        return clock.Elapsed.TotalSeconds / tokens;
    }
}
