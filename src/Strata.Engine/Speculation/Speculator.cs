using Strata.Engine.Running;
using Strata.Engine.Scheduling;

namespace Strata.Engine.Speculation;

/// <summary>
/// The core's speculation hook. Before a step is scheduled it gives each decoding sequence drafts from its proposer;
/// after the step it learns how many were accepted. The step decides how much to speculate: decoding sequences plus
/// drafts stay within <see cref="SpeculationOptions.MaxStepTokens"/> (beyond that a step is compute bound and drafts
/// would cost throughput), the spare positions going first to the sequences whose drafts were accepted most lately;
/// each sequence asks for no more than its adaptive k, and never for more than it may still generate.
/// </summary>
internal sealed class Speculator
{
    private readonly SpeculationOptions _options;
    private readonly int _maxModelLength;
    private readonly SuffixTree? _tree;
    private readonly long[] _acceptedPerVerification;
    private readonly List<(ChoiceOutput Choice, SequenceSpeculation State)> _candidates = [];
    private readonly Dictionary<Sequence, SequenceSpeculation> _proposed = [];
    private long _draftTokens;
    private long _acceptedTokens;

    public Speculator(SpeculationOptions options, int maxModelLength)
    {
        options.Validate();
        _options = options;
        _maxModelLength = maxModelLength;
        _tree = options.Method == SpeculativeMethod.Suffix ? new SuffixTree(options.SuffixDepth, options.SuffixMaxNodes) : null;
        _acceptedPerVerification = new long[options.NumSpeculativeTokens + 1];
    }

    public SpeculationStats Stats => new(_options.Method.ToString().ToLowerInvariant(), _draftTokens, _acceptedTokens, [.. _acceptedPerVerification]);

    /// <summary>Sets the drafts of every live choice of <paramref name="requests"/> for the coming step (none for most).</summary>
    public void Propose(IReadOnlyList<RequestState> requests)
    {
        _candidates.Clear();
        _proposed.Clear();
        var decodes = 0;
        foreach (var request in requests)
        {
            foreach (var choice in request.Choices)
            {
                if (choice.IsFinished)
                    continue;
                var sequence = choice.Sequence;
                sequence.Drafts = [];
                if (sequence.PendingCount != 1 || sequence.GeneratedCount == 0)
                    continue;
                decodes++;
                if (request.Request.Speculative)
                    _candidates.Add((choice, choice.Speculation ??= new SequenceSpeculation(NewProposer(), _options.NumSpeculativeTokens)));
            }
        }

        var spare = _options.MaxStepTokens - decodes;
        _candidates.Sort(static (a, b) => b.State.Acceptance.CompareTo(a.State.Acceptance));
        foreach (var (choice, state) in _candidates)
        {
            var sequence = choice.Sequence;
            var left = Math.Min(choice.Request.Request.Sampling.MaxTokens, _maxModelLength - sequence.PromptLength) - sequence.GeneratedCount;
            // Proposing nothing still lets the proposer learn the new tokens.
            var count = Math.Clamp(Math.Min(state.Length, left - 1), 0, Math.Max(spare, 0));
            state.Propose(sequence.Tokens, count);
            if (state.Drafts.Count == 0)
                continue;
            sequence.Drafts = state.Drafts;
            _proposed[sequence] = state;
            spare -= state.Drafts.Count;
        }
    }

    /// <summary>Learns, after the step was committed, how many of the drafts it verified were accepted.</summary>
    public void Verified(SchedulerPlan plan)
    {
        foreach (var chunk in plan.Chunks)
        {
            if (chunk.Drafts.Count == 0 || !_proposed.TryGetValue(chunk.Sequence, out var state))
                continue;
            var accepted = chunk.Sequence.Length - (chunk.Start + chunk.Count) - 1;
            state.Verified(chunk.Drafts.Count, accepted);
            _draftTokens += chunk.Drafts.Count;
            _acceptedTokens += accepted;
            _acceptedPerVerification[accepted]++;
        }
    }

    private IDraftProposer NewProposer() => _tree is null
        ? new NgramProposer(_options.NgramMin, _options.NgramMax)
        : new SuffixProposer(_tree);
}
