using Strata.Engine.Core;
using Strata.Engine.Running;
using Strata.Engine.Scheduling;

namespace Strata.Engine.Speculation;

/// <summary>
/// The core's speculation hook. Before a step is scheduled it gives each decoding sequence drafts from its proposer;
/// after the step it learns how many were accepted and what the step cost. A draft is worth its position only if it
/// raises the step's tokens per second: with the step producing T tokens (expected) in C seconds and a position costing
/// b more, a draft accepted with probability p helps when p &gt; b·T/C. For one sequence on a CPU (C mostly reading
/// weights) that bar is low; for a full batch (C mostly compute, T large) it nears 1 and speculation stops, so it never
/// costs throughput. p for a sequence's j-th draft is α^j, α its recent per-draft acceptance; the most promising
/// sequences are served first, each within its adaptive k, never past what it may still generate, and the step within
/// <see cref="SpeculationOptions.MaxStepTokens"/>.
/// </summary>
internal sealed class Speculator
{
    private readonly SpeculationOptions _options;
    private readonly int _maxModelLength;
    private readonly SuffixTree? _tree;
    private readonly long[] _acceptedPerVerification;
    private readonly List<(ChoiceOutput Choice, SequenceSpeculation State)> _candidates = [];
    private readonly Dictionary<Sequence, SequenceSpeculation> _proposed = [];
    private readonly StepCostModel _cost = new();
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
        // Expected tokens and cost of the step so far; until the cost is fitted, assume a position costs a tenth of a step.
        double tokens = decodes, perPosition = _cost.IsFitted ? _cost.PerPosition : 0.1, cost = (_cost.IsFitted ? _cost.Fixed : 1) + perPosition * decodes;
        _candidates.Sort(static (a, b) => b.State.Acceptance.CompareTo(a.State.Acceptance));
        foreach (var (choice, state) in _candidates)
        {
            var sequence = choice.Sequence;
            var left = Math.Min(choice.Request.Request.Sampling.MaxTokens, _maxModelLength - sequence.PromptLength) - sequence.GeneratedCount;
            var (count, accepted) = (0, 1.0);
            while (count < Math.Min(state.Length, Math.Min(left - 1, spare)) && (!_options.CostAware || cost <= 0 || accepted * state.Acceptance * cost > perPosition * tokens))
            {
                count++;
                accepted *= state.Acceptance;
                tokens += accepted;
                cost += perPosition;
            }
            // Proposing nothing still lets the proposer learn the new tokens. Fewer drafts than asked cost less and promise less.
            state.Propose(sequence.Tokens, count);
            for (var missing = count; missing > state.Drafts.Count; missing--)
            {
                tokens -= accepted;
                cost -= perPosition;
                accepted /= state.Acceptance;
            }
            if (state.Drafts.Count == 0)
            {
                state.Idle();
                continue;
            }
            sequence.Drafts = state.Drafts;
            _proposed[sequence] = state;
            spare -= state.Drafts.Count;
        }
    }

    /// <summary>Learns, after the step was committed, how many of the drafts it verified were accepted, and what a position cost.</summary>
    public void Verified(SchedulerPlan plan, StepRecord record)
    {
        if (record.PrefillTokens == 0)
            _cost.Observe(record.DecodeSequences + record.DraftTokens, record.Seconds);
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
