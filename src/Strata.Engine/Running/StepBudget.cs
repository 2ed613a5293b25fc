using System.Diagnostics;
using Strata.Engine.Control;
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

    /// <summary>
    /// The step's token budget and the step cost law the service-time predictor starts from. With the budget given
    /// nothing is timed at start-up: the law starts at zero and is learnt from the first steps (until then nothing is
    /// refused for being late, as nothing is ahead of the first requests anyway). Otherwise <paramref name="measure"/>
    /// times the model once for both.
    /// </summary>
    public static (int MaxBatchedTokens, StepCost Calibration) Choose(EngineOptions options, Func<(double FixedSeconds, double SecondsPerToken)> measure)
    {
        if (options.MaxBatchedTokens > 0)
            return (options.MaxBatchedTokens, new StepCost(0, 0, 0, 0));
        var (fixedSeconds, secondsPerToken) = measure();
        return (For(secondsPerToken, options), new StepCost(fixedSeconds, secondsPerToken, secondsPerToken, 0));
    }

    /// <summary>
    /// Times a 64-token prefill (after a warm-up one) and a one-token step: the seconds per token of the first, and
    /// what a step costs beyond its tokens (reading every weight once, which dominates a small decode step), the
    /// start-up calibration of the service-time predictor.
    /// </summary>
    public static (double FixedSeconds, double SecondsPerToken) Measure(LlamaModel model, KvBuffer kv, ComputePool pool)
    {
        var tokens = Math.Min(ProbeTokens, kv.BlockCount * kv.Layout.BlockSize);
        var prefill = Time(model, kv, pool, tokens, repeat: 2);
        var single = Time(model, kv, pool, 1, repeat: 1);
        var perToken = prefill / tokens;
        return (Math.Max(0, single - perToken), perToken);
    }

    /// <summary>Seconds of the last of <paramref name="repeat"/> forward passes over <paramref name="tokens"/> tokens of one sequence.</summary>
    private static double Time(LlamaModel model, KvBuffer kv, ComputePool pool, int tokens, int repeat)
    {
        var table = Enumerable.Range(0, (tokens + kv.Layout.BlockSize - 1) / kv.Layout.BlockSize).ToArray();
        var batch = new ForwardBatch();
        var sequence = batch.AddSequence(table);
        for (var i = 0; i < tokens; i++)
            batch.AddToken(sequence, i % model.Config.VocabSize, i, wantLogits: i == tokens - 1);
        var seconds = 0.0;
        for (var i = 0; i < repeat; i++)
        {
            var clock = Stopwatch.StartNew();
            model.Forward(batch, kv, pool);
            seconds = clock.Elapsed.TotalSeconds;
        }
        return seconds;
    }
}
