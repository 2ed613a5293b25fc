using Strata.Engine.Generation;
using Strata.Engine.Guard;
using Strata.Engine.Requests;
using Strata.Engine.Scheduling;
using Strata.Models.Tokenizers;

namespace Strata.Engine.Running;

/// <summary>
/// Applies sampled tokens: appends them, forks the other choices of an <c>n &gt; 1</c> request, turns tokens into
/// text, decides which sequences are finished (end-of-generation token, stop string, token limit, context length)
/// and publishes the events. Finished sequences leave the scheduler at once, so their blocks are free next step.
/// </summary>
internal sealed class OutputProcessor(Scheduler scheduler, Tokenizer tokenizer, int maxModelLength, ContentGuard? guard = null)
{
    private long _nextSequenceId;

    public SequenceId NextSequenceId() => new(Interlocked.Increment(ref _nextSequenceId));

    public Sequence CreateSequence(RequestState request, int choice, IEnumerable<int> tokens) =>
        new(NextSequenceId(), request, choice, tokens, request.Samplers[choice],
            new OutputDetokenizer(tokenizer, request.Request.Sampling.Stop, guard?.CreateSession(request.Request.GuardCategories)));

    public void Process(IReadOnlyList<SampledToken> sampled)
    {
        foreach (var s in sampled)
        {
            var sequence = s.Choice == s.Sequence.Choice ? s.Sequence : Fork(s.Sequence, s.Choice);
            Apply(sequence, s);
        }
    }

    /// <summary>Ends every unfinished choice of a request, including choices not yet forked from its prompt.</summary>
    public void Abort(RequestState request, FinishReason reason)
    {
        foreach (var sequence in request.Sequences.Where(q => !q.IsFinished).ToList())
            Finish(sequence, reason, "");
        for (var choice = request.Sequences.Count; choice < request.Request.Choices; choice++)
            Conclude(request, new FinishEvent(choice, reason, "", 0));
    }

    private Sequence Fork(Sequence parent, int choice)
    {
        var child = CreateSequence(parent.Request, choice, parent.Tokens.ToArray());
        child.AdoptTable(scheduler.Blocks.Fork(parent.Table), parent.ComputedCount);
        parent.Request.Sequences.Add(child);
        scheduler.AddRunning(child);
        return child;
    }

    private void Apply(Sequence sequence, SampledToken s)
    {
        var sampling = sequence.Request.Request.Sampling;
        sequence.Append(s.Token);
        if (tokenizer.IsEndOfGeneration(s.Token) && !sampling.IgnoreEos)
        {
            FinishFlushed(sequence, FinishReason.Stop);
            return;
        }
        var text = sequence.Output.Push(s.Token);
        sequence.Request.Publish(new TokenEvent(sequence.Choice, s.Token, text, s.Logprob, s.TopLogprobs));
        if (sequence.Output.Violated)
            Finish(sequence, FinishReason.ContentFilter, "");
        else if (sequence.Output.Stopped || sequence.Sampler.IsConstraintComplete)
            FinishFlushed(sequence, FinishReason.Stop);
        else if (sequence.GeneratedCount >= sampling.MaxTokens || sequence.Length >= maxModelLength)
            FinishFlushed(sequence, FinishReason.Length);
    }

    /// <summary>Finishes with whatever text is still held; the guard may still find a violation in it.</summary>
    private void FinishFlushed(Sequence sequence, FinishReason reason)
    {
        var text = sequence.Output.Flush();
        Finish(sequence, sequence.Output.Violated ? FinishReason.ContentFilter : reason, text);
    }

    private void Finish(Sequence sequence, FinishReason reason, string text)
    {
        sequence.MarkFinished();
        scheduler.Remove(sequence);
        Conclude(sequence.Request, new FinishEvent(sequence.Choice, reason, text, sequence.GeneratedCount));
    }

    private static void Conclude(RequestState request, FinishEvent finish)
    {
        request.Publish(finish);
        if (--request.UnfinishedChoices == 0)
            request.Complete();
    }
}
