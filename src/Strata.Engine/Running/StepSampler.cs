using Strata.Engine.Requests;
using Strata.Engine.Sampling;
using Strata.Engine.Scheduling;

namespace Strata.Engine.Running;

/// <summary>
/// Turns a step's logits into its accepted tokens, with each choice's sampler (found through <paramref name="outputs"/>):
/// one row per chunk that produces a token, then one per draft. The first token of an <c>n &gt; 1</c> request is
/// sampled once per choice from the same row. Drafts are verified in order: the token sampled at a row is always
/// kept, and the draft at that row is accepted while it equals it. For a proposer that drafts one token with certainty
/// (n-gram, suffix) this is exactly the rejection rule of speculative sampling — accept x with probability p(x), else
/// draw from p without x — and it draws the same random numbers as decoding without drafts, so a seeded request gives
/// the same tokens with speculation or without; greedy output is the argmax either way. A draft model's draft comes
/// with the distribution q it was drawn from and is verified by the general rule (<see cref="Sampler.SampleDraft"/>).
/// </summary>
internal sealed class StepSampler(OutputProcessor outputs)
{
    private readonly StepResult _result = new();
    private float[] _row = [];
    private int[] _history = [];

    /// <param name="logits">The step's logit rows, <paramref name="vocab"/> wide, in plan order.</param>
    public StepResult Sample(SchedulerPlan plan, ReadOnlySpan<float> logits, int vocab)
    {
        _result.Clear();
        var row = 0;
        foreach (var chunk in plan.Chunks)
        {
            if (!chunk.ProducesToken)
                continue;
            // The other choices of an n > 1 request fork from the finished prompt; each draws from the same logits.
            var first = logits.Slice(row * vocab, vocab);
            for (var f = chunk.Forks.Count - 1; f >= 0; f--)
                _result.Tokens.Add(Sample(chunk.Forks[f], first, chunk.Forks[f].Generated));
            // A draft model's drafts come with the distributions they were drawn from; n-gram and suffix drafts are one-hot.
            var proposals = chunk.Drafts.Count > 0 ? outputs[chunk.Sequence.Id].Speculation?.Proposals : null;
            for (var d = 0; ; d++)
            {
                var rowLogits = logits.Slice((row + d) * vocab, vocab);
                var history = History(chunk.Sequence, chunk.Drafts, d);
                var sampled = proposals is not null && d < chunk.Drafts.Count
                    ? Sample(chunk.Sequence, rowLogits, history, chunk.Drafts[d], proposals[d])
                    : Sample(chunk.Sequence, rowLogits, history);
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
    /// <param name="draft">The draft verified at this row when it was drawn from <paramref name="proposal"/>; without a proposal, a plain draw.</param>
    private SampledToken Sample(Sequence sequence, ReadOnlySpan<float> logits, ReadOnlySpan<int> generated, int draft = -1, ReadOnlySpan<float> proposal = default)
    {
        var output = outputs[sequence.Id];
        var request = output.Request.Request;
        var working = Scratch(ref _row, logits.Length);
        logits.CopyTo(working);
        if (!request.Logprobs)
            return new SampledToken(sequence, Draw(output.Sampler, sequence, working, generated, draft, proposal));

        var logSumExp = Logprobs.LogSumExp(logits);
        var top = request.TopLogprobs > 0 ? Logprobs.Top(logits, logSumExp, request.TopLogprobs) : [];
        var token = Draw(output.Sampler, sequence, working, generated, draft, proposal);
        return new SampledToken(sequence, token, new TokenLogprob(token, logits[token] - logSumExp), top);
    }

    private static int Draw(Sampler sampler, Sequence sequence, Span<float> logits, ReadOnlySpan<int> generated, int draft, ReadOnlySpan<float> proposal) =>
        proposal.IsEmpty
            ? sampler.Sample(logits, sequence.Prompt, generated)
            : sampler.SampleDraft(logits, sequence.Prompt, generated, draft, proposal);

    private static Span<T> Scratch<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
            buffer = new T[length];
        return buffer.AsSpan(0, length);
    }
}
