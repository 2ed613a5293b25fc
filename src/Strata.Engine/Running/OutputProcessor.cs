using Strata.Engine.Constraints;
using Strata.Engine.Generation;
using Strata.Engine.Guard;
using Strata.Engine.Requests;
using Strata.Engine.Sampling;
using Strata.Engine.Scheduling;
using Strata.Models.Tokenizers;

namespace Strata.Engine.Running;

/// <summary>
/// Applies a step's accepted tokens to the choices they belong to, found by <see cref="SequenceId"/>: turns them into
/// text, decides which choices are finished (end-of-generation token, stop string, token limit, context length) and
/// publishes the events. Finished sequences leave the scheduler at once, so their blocks are free next step. Without a
/// tokenizer (a simulation) choices carry no text and finish only by length.
/// </summary>
internal sealed class OutputProcessor(Scheduler scheduler, Tokenizer? tokenizer, int maxModelLength, ContentGuard? guard = null)
{
    private readonly Dictionary<SequenceId, ChoiceOutput> _choices = [];

    /// <summary>The output of a live sequence (its sampler, for the runner).</summary>
    public ChoiceOutput this[SequenceId id] => _choices[id];

    /// <summary>Opens the output of one choice of <paramref name="request"/>, produced by <paramref name="sequence"/>.</summary>
    public void Open(RequestState request, int choice, Sequence sequence)
    {
        var generation = request.Request;
        var sampler = new Sampler(generation.Sampling, request.Seed + (ulong)choice, Constraints(generation));
        var text = tokenizer is null ? null : new OutputDetokenizer(tokenizer, generation.Sampling.Stop, guard?.CreateSession(generation.GuardCategories));
        var output = new ChoiceOutput(request, choice, sequence, sampler, text);
        _choices.Add(sequence.Id, output);
        request.Choices.Add(output);
    }

    public void Process(StepResult result)
    {
        foreach (var s in result.Tokens)
        {
            // A choice that finished on an earlier token of this step ignores the rest.
            if (_choices.TryGetValue(s.Sequence.Id, out var choice))
                Apply(choice, s);
        }
    }

    /// <summary>Ends every unfinished choice of a request, including choices not yet forked from its prompt.</summary>
    public void Abort(RequestState request, FinishReason reason)
    {
        foreach (var choice in request.Choices)
        {
            if (!choice.IsFinished)
                Finish(choice, reason, "");
        }
    }

    /// <summary>One choice's constraints: each gets its own grammar state.</summary>
    private List<ITokenConstraint> Constraints(GenerationRequest request)
    {
        var constraints = new List<ITokenConstraint>();
        if (request.Grammar is { } grammar)
            constraints.Add(new GrammarConstraint(grammar.CreateMatcher()));
        IReadOnlyList<int[]> banned = [.. request.Sampling.BannedTokenSequences, .. guard?.BannedTokenSequences(request.GuardCategories) ?? []];
        if (banned.Count > 0)
            constraints.Add(new BannedTokenSequences(banned));
        return constraints;
    }

    private void Apply(ChoiceOutput choice, SampledToken s)
    {
        var sampling = choice.Request.Request.Sampling;
        if (++choice.Emitted == 1)
            choice.Request.Handle.CachedTokens = choice.Sequence.CachedPromptTokens ?? 0;
        if (tokenizer?.IsEndOfGeneration(s.Token) == true && !sampling.IgnoreEos)
        {
            FinishFlushed(choice, FinishReason.Stop);
            return;
        }
        var text = choice.Text?.Push(s.Token) ?? "";
        choice.Request.Publish(new TokenEvent(choice.Choice, s.Token, text, s.Logprob, s.TopLogprobs));
        if (choice.Text?.Violated == true)
            Finish(choice, FinishReason.ContentFilter, "");
        else if (choice.Text?.Stopped == true || choice.Sampler.IsConstraintComplete)
            FinishFlushed(choice, FinishReason.Stop);
        else if (choice.Emitted >= sampling.MaxTokens || choice.Sequence.PromptLength + choice.Emitted >= maxModelLength)
            FinishFlushed(choice, FinishReason.Length);
    }

    /// <summary>Finishes with whatever text is still held; the guard may still find a violation in it.</summary>
    private void FinishFlushed(ChoiceOutput choice, FinishReason reason)
    {
        var text = choice.Text?.Flush() ?? "";
        Finish(choice, choice.Text?.Violated == true ? FinishReason.ContentFilter : reason, text);
    }

    private void Finish(ChoiceOutput choice, FinishReason reason, string text)
    {
        choice.IsFinished = true;
        _choices.Remove(choice.Sequence.Id);
        scheduler.Remove(choice.Sequence);
        var request = choice.Request;
        request.Publish(new FinishEvent(choice.Choice, reason, text, choice.Emitted));
        if (--request.UnfinishedChoices == 0)
            request.Complete();
    }
}
