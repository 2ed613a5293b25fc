using Strata.Engine.Requests;
using Strata.Engine.Sampling;
using Strata.Engine.Scheduling;
using Strata.Kernels.Threading;
using Strata.Models;
using Strata.Models.Kv;
using Strata.Models.Llama;

namespace Strata.Engine.Running;

/// <summary>
/// The only place that turns scheduled chunks into a <see cref="ForwardBatch"/>: it performs pending block copies,
/// runs the model once for the whole step and samples a token for every sequence whose known tokens are now all
/// in the cache. The first token of an <c>n &gt; 1</c> request is sampled once per choice from the same logits.
/// </summary>
internal sealed class ModelRunner(LlamaModel model, KvBuffer kv, ComputePool pool)
{
    private readonly ForwardBatch _batch = new();
    private readonly List<SampledToken> _sampled = [];
    private float[] _row = [];

    public IReadOnlyList<SampledToken> Run(SchedulerPlan plan)
    {
        _sampled.Clear();
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
        }
        var logits = model.Forward(_batch, kv, pool);

        var vocab = model.Config.VocabSize;
        var row = 0;
        foreach (var chunk in plan.Chunks)
        {
            if (!chunk.ProducesToken)
                continue;
            SampleFor(chunk.Sequence, logits.Slice(row++ * vocab, vocab));
        }
        return _sampled;
    }

    private void SampleFor(Sequence sequence, ReadOnlySpan<float> logits)
    {
        var state = sequence.Request;
        var request = state.Request;
        var firstChoice = sequence.Choice;
        // The other choices of an n > 1 request fork from the finished prompt; each draws from the same logits.
        var lastChoice = sequence.Choice == 0 && sequence.GeneratedCount == 0 ? request.Choices - 1 : firstChoice;
        for (var choice = lastChoice; choice >= firstChoice; choice--)
        {
            var sampler = choice == sequence.Choice ? sequence.Sampler : state.Samplers[choice];
            _sampled.Add(Sample(sequence, choice, sampler, logits));
        }
    }

    /// <summary>Samples from a private copy of the logits (the sampler edits them), noting log-probabilities if asked.</summary>
    private SampledToken Sample(Sequence sequence, int choice, Sampler sampler, ReadOnlySpan<float> logits)
    {
        var request = sequence.Request.Request;
        var working = Scratch(ref _row, logits.Length);
        logits.CopyTo(working);
        if (!request.Logprobs)
            return new SampledToken(sequence, choice, sampler.Sample(working, sequence.Prompt, sequence.Generated), null, []);

        var logSumExp = Logprobs.LogSumExp(logits);
        var top = request.TopLogprobs > 0 ? Logprobs.Top(logits, logSumExp, request.TopLogprobs) : [];
        var token = sampler.Sample(working, sequence.Prompt, sequence.Generated);
        return new SampledToken(sequence, choice, token, new TokenLogprob(token, logits[token] - logSumExp), top);
    }

    private static Span<float> Scratch(ref float[] buffer, int length)
    {
        if (buffer.Length < length)
            buffer = new float[length];
        return buffer.AsSpan(0, length);
    }
}
