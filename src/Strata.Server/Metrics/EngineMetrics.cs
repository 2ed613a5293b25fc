using System.Diagnostics.Metrics;
using Strata.Engine;

namespace Strata.Server.Metrics;

/// <summary>The engine's own state (sequences and their cap, KV blocks, preemptions, tokens, steps), read from its latest stats snapshot whenever metrics are collected.</summary>
internal sealed class EngineMetrics
{
    public EngineMetrics(IMeterFactory meters, InferenceEngine engine)
    {
        var meter = meters.Create(ServerMetrics.MeterName);
        meter.CreateObservableGauge("strata_sequences_running", () => engine.Stats.RunningSequences, description: "Sequences in the running batch.");
        meter.CreateObservableGauge("strata_sequences_running_peak", () => engine.Stats.PeakRunningSequences, description: "The most sequences running after any engine step since the start.");
        meter.CreateObservableGauge("strata_sequences_max", () => engine.Options.MaxSequences, description: "The cap on running sequences (--max-num-seqs).");
        meter.CreateObservableGauge("strata_sequences_waiting", () => engine.Stats.WaitingSequences, description: "Sequences waiting to be scheduled.");
        meter.CreateObservableGauge("strata_kv_blocks_used", () => engine.Stats.KvBlocksUsed, description: "KV cache blocks held by sequences.");
        meter.CreateObservableGauge("strata_kv_blocks_free", () => engine.Stats.KvBlocksFree, description: "KV cache blocks free.");
        meter.CreateObservableCounter("strata_preemptions_total", () => engine.Stats.Preemptions, description: "Sequences preempted to free KV blocks.");
        meter.CreateObservableCounter("strata_prompt_tokens_total", () => engine.Stats.PromptTokensComputed, description: "Prompt tokens computed (prefill).");
        meter.CreateObservableCounter("strata_generation_tokens_total", () => engine.Stats.GeneratedTokens, description: "Tokens generated.");
        meter.CreateObservableCounter("strata_engine_steps_total", () => engine.Stats.Steps, description: "Engine steps run.");
    }
}
