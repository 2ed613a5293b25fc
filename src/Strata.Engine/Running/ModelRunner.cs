using Strata.Engine.Scheduling;
using Strata.Kernels.Threading;
using Strata.Models;
using Strata.Models.Kv;
using Strata.Models.Llama;

namespace Strata.Engine.Running;

/// <summary>
/// The step runner for a model, and the only place that turns scheduled chunks into a <see cref="ForwardBatch"/>: it
/// performs pending block copies and loads, runs the model once for the whole step and samples with each choice's
/// sampler (found through <paramref name="outputs"/>, by the <see cref="StepSampler"/>). A chunk with drafts asks for a
/// logit row per draft as well.
/// </summary>
internal sealed class ModelRunner(LlamaModel model, KvBuffer kv, ComputePool pool, OutputProcessor outputs) : IStepRunner
{
    private readonly ForwardBatch _batch = new();
    private readonly StepSampler _sampler = new(outputs);

    public StepResult Run(SchedulerPlan plan)
    {
        foreach (var (block, payload) in plan.Loads)
            kv.WriteBlock(block, payload);
        foreach (var copy in plan.Copies)
            kv.CopyBlock(copy.Source, copy.Destination);

        _batch.Clear();
        foreach (var chunk in plan.Chunks)
        {
            var sequence = chunk.Sequence;
            var index = _batch.AddSequence(sequence.Table.Blocks);
            var tokens = sequence.Tokens;
            for (var position = chunk.Start; position < chunk.Start + chunk.Count; position++)
                _batch.AddToken(index, tokens[position], position, wantLogits: chunk.ProducesToken && position == sequence.Length - 1);
            for (var d = 0; d < chunk.Drafts.Count; d++)
                _batch.AddToken(index, chunk.Drafts[d], sequence.Length + d, wantLogits: true);
        }
        var logits = model.Forward(_batch, kv, pool);
        return _sampler.Sample(plan, logits, model.Config.VocabSize);
    }
}
