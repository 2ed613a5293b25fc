using Strata.Engine.Requests;
using Strata.Engine.Sampling;
using Strata.Engine.Scheduling;
using Strata.Kernels.Threading;
using Strata.Models;
using Strata.Models.Kv;
using Strata.Models.Llama;

namespace Strata.Engine.Running;

/// <summary>
/// The step runner for a model, and the only place that turns scheduled chunks into a <see cref="ForwardBatch"/>: it
/// performs pending block copies and loads, runs the model once for the whole step and samples with each choice's
/// sampler (found through <paramref name="outputs"/>). The first token of an <c>n &gt; 1</c> request is sampled once
/// per choice from the same logits. A chunk with drafts asks for a logit row per draft as well; a draft is accepted
/// while the token sampled before it equals it, which keeps greedy output exact and the sampled distribution intact.
/// </summary>
internal sealed class ModelRunner(LlamaModel model, KvBuffer kv, ComputePool pool, OutputProcessor outputs) : IStepRunner
{
    private readonly ForwardBatch _batch = new();
    private readonly StepResult _result = new();
    private float[] _row = [];
    private int[] _history = [];

    public StepResult Run(SchedulerPlan plan)
    {
        _result.Clear();
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

        var vocab = model.Config.VocabSize;
        var row = 0;
        foreach (var chunk in plan.Chunks)
        {
            if (!chunk.ProducesToken)
                continue;
            // The other choices of an n > 1 request fork from the finished prompt; each draws from the same logits.
            var first = logits.Slice(row * vocab, vocab);
            for (var f = chunk.Forks.Count - 1; f >= 0; f--)
                _result.Tokens.Add(Sample(chunk.Forks[f], first, chunk.Forks[f].Generated));
            for (var d = 0; ; d++)
            {
                var sampled = Sample(chunk.Sequence, logits.Slice((row + d) * vocab, vocab), History(chunk.Sequence, chunk.Drafts, d));
                _result.Tokens.Add(sampled);
                if (d == chunk.Drafts.Count || sampled.Token != chunk.Drafts[d])
                    break;
            }
            row += chunk.LogitRows;
        }
        return _result;
    }

    /// <summary>The generated tokens the penalties look at: the sequence's, then the first <paramref name="accepted"/> drafts.</summary>
    private ReadOnlySpan<int> History(Sequence sequence, IReadOnlyList<int> drafts, int accepted)
    {
        var generated = sequence.Generated;
        if (accepted == 0)
            return generated;
        var history = Scratch(ref _history, generated.Length + accepted);
        generated.CopyTo(history);
        for (var i = 0; i < accepted; i++)
            history[generated.Length + i] = drafts[i];
        return history;
    }

    /// <summary>Samples from a private copy of the logits (the sampler edits them), noting log-probabilities if asked.</summary>
    private SampledToken Sample(Sequence sequence, ReadOnlySpan<float> logits, ReadOnlySpan<int> generated)
    {
        var output = outputs[sequence.Id];
        var request = output.Request.Request;
        var working = Scratch(ref _row, logits.Length);
        logits.CopyTo(working);
        if (!request.Logprobs)
            return new SampledToken(sequence, output.Sampler.Sample(working, sequence.Prompt, generated));

        var logSumExp = Logprobs.LogSumExp(logits);
        var top = request.TopLogprobs > 0 ? Logprobs.Top(logits, logSumExp, request.TopLogprobs) : [];
        var token = output.Sampler.Sample(working, sequence.Prompt, generated);
        return new SampledToken(sequence, token, new TokenLogprob(token, logits[token] - logSumExp), top);
    }

    private static Span<T> Scratch<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
            buffer = new T[length];
        return buffer.AsSpan(0, length);
    }
}
