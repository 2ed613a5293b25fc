using System.Runtime.InteropServices;
using Strata.Engine.Control;
using Strata.Engine.Running;
using Strata.Engine.Scheduling;

namespace Strata.Engine.Speculation;

/// <summary>
/// The core's speculation hook. Before a step is scheduled it gives each decoding sequence drafts from its proposer;
/// after the step it learns how many were accepted. A draft is worth its position only if it raises the step's tokens
/// per second: with the step producing T tokens (expected) in C seconds and a draft costing b more (the draft-token term
/// of the engine's fitted step cost law, <see cref="StepCostModel"/>, learnt from the steps that verified drafts, plus a
/// drafting round for a draft model), a draft accepted with probability p helps when p·C/T &gt; b: its expected accepted
/// tokens times what a token costs now must exceed what its row costs. For one sequence on a CPU (C mostly reading
/// weights) that bar is low; for a full batch (C mostly compute, T large) it nears 1 and speculation stops, so it never
/// costs throughput. p for a sequence's j-th draft is the product of its first j drafts' chances: α each, α its recent
/// per-draft acceptance, unless the proposer counted how often each draft followed its path (the suffix tree), with α
/// as the counts' prior (<see cref="Continuation"/>). A new sequence's α starts at the method's recent acceptance over
/// all sequences, not at an even chance, so the requests of a workload whose drafts are right draft long from their
/// first step. The most promising sequences are served first, each within its adaptive k, never past what it may still
/// generate, and the step within <see cref="SpeculationOptions.MaxStepTokens"/>.
/// </summary>
internal sealed class Speculator
{
    /// <summary>How much each verification of any sequence fades the method's acceptance (a memory of about twenty verifications).</summary>
    private const double MethodDecay = 0.95;

    private readonly SpeculationOptions _options;
    private readonly int _maxModelLength;
    private readonly SuffixTree? _tree;
    private readonly long[] _acceptedPerVerification;
    private readonly List<(ChoiceOutput Choice, SequenceSpeculation State)> _candidates = [];
    private readonly Dictionary<Sequence, SequenceSpeculation> _proposed = [];
    private readonly StepCostModel _costs;
    private readonly DraftModelProposer? _draftModel;
    private readonly List<(ChoiceOutput Choice, SequenceSpeculation State, int Count)> _drafting = [];
    private readonly AcceptanceEstimate _methodAcceptance = new(0.5, MethodDecay);
    private readonly double[] _uniformChances;
    private long _draftTokens;
    private long _acceptedTokens;

    /// <param name="draftModel">The draft model and its KV pool, for the <c>draft</c> method.</param>
    /// <param name="blockSize">Tokens per block of the draft model's pool.</param>
    /// <param name="clock">Times the draft model's rounds.</param>
    /// <param name="costs">The engine's step cost law (fitted by the core from every step).</param>
    public Speculator(SpeculationOptions options, int maxModelLength, StepCostModel costs, IDraftModel? draftModel = null, int blockSize = 16, TimeProvider? clock = null)
    {
        _costs = costs;
        options.Validate();
        _options = options;
        _maxModelLength = maxModelLength;
        _tree = options.Method == SpeculativeMethod.Suffix ? new SuffixTree(options.SuffixDepth, options.SuffixMaxNodes) : null;
        if (options.Method == SpeculativeMethod.Draft)
        {
            if (draftModel is null)
                throw new ArgumentException("the draft method needs a draft model");
            _draftModel = new DraftModelProposer(draftModel, blockSize, options.NumSpeculativeTokens, clock ?? TimeProvider.System);
        }
        _acceptedPerVerification = new long[options.NumSpeculativeTokens + 1];
        _uniformChances = new double[options.NumSpeculativeTokens];
    }

    public SpeculationStats Stats => new(_options.Method.ToString().ToLowerInvariant(), _draftTokens, _acceptedTokens, [.. _acceptedPerVerification])
    {
        DraftKvBlocksUsed = _draftModel?.UsedBlocks ?? 0,
        SuffixTreeNodes = _tree?.NodeCount ?? 0,
    };

    /// <summary>Sets the drafts of every live choice of <paramref name="requests"/> for the coming step (none for most).</summary>
    public void Propose(IReadOnlyList<RequestState> requests)
    {
        _candidates.Clear();
        _proposed.Clear();
        var decodes = 0;
        long context = 0;
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
                context += sequence.Length;
                if (request.Request.Speculative)
                    _candidates.Add((choice, choice.Speculation ??= new SequenceSpeculation(NewProposer(), _options.NumSpeculativeTokens, _methodAcceptance.Value)));
            }
        }

        var spare = _options.MaxStepTokens - decodes;
        // Expected tokens and cost of the step so far (its decodes, each reading its context); a draft is one more
        // verification row, priced by the law's draft term (which holds the row's attention too, at the contexts the
        // recent verifications read), and a draft model's draft costs a drafting round as well.
        var law = _costs.Current;
        double tokens = decodes, cost = law.Seconds(0, decodes, context);
        var draftRound = _draftModel?.RoundSeconds ?? 0;
        _drafting.Clear();
        _candidates.Sort(static (a, b) => b.State.Acceptance.CompareTo(a.State.Acceptance));
        foreach (var (choice, state) in _candidates)
        {
            var sequence = choice.Sequence;
            var perDraft = law.PerDraftToken + draftRound;
            var left = Math.Min(choice.Request.Request.Sampling.MaxTokens, _maxModelLength - sequence.PromptLength) - sequence.GeneratedCount;
            var most = Math.Min(state.Length, Math.Min(left - 1, spare));
            if (most <= 0 || !Pays(state.Acceptance, tokens, cost, perDraft))
            {
                // A sequence that may not draft now (a full step, drafts priced out) does not feed its proposer either:
                // the suffix tree's insertions (a level per token up to its depth, each a likely cache miss in a tree of
                // up to 2^20 nodes, 5-10 µs a token) cost 32 concurrent random requests throughput for drafts never made
                // (0.81x and 0.96x of no speculation; 1.11x and 1.00x once full steps skipped them), and where fewer
                // sequences decode than fill a step but each row is compute, drafts stay priced out while the tree still
                // grew. The sequence catches up the next time it may draft; one that finishes first leaves its last
                // tokens out of the tree.
                state.Idle();
                continue;
            }
            if (_draftModel is not null)
            {
                // The draft model proposes for every sequence at once, below; its drafts are each as likely as the sequence's acceptance says.
                var chances = _uniformChances.AsSpan(0, most);
                chances.Fill(state.Acceptance);
                var count = Affordable(chances, perDraft, ref tokens, ref cost);
                _drafting.Add((choice, state, count));
                spare -= count;
                continue;
            }
            // The proposer's drafts, each at its own chance (a suffix tree's counts: a path that twenty earlier requests
            // continued the same way is drafted far), kept as far as they pay.
            state.Propose(sequence.Tokens, most);
            state.Keep(Affordable(CollectionsMarshal.AsSpan(state.Chances), perDraft, ref tokens, ref cost));
            if (state.Drafts.Count == 0)
            {
                state.Idle();
                continue;
            }
            Drafted(choice.Sequence, state);
            spare -= state.Drafts.Count;
        }
        if (_drafting.Count == 0)
            return;
        _draftModel!.Propose(_drafting);
        foreach (var (choice, state, _) in _drafting)
        {
            if (state.Drafts.Count == 0)
                state.Idle();
            else
                Drafted(choice.Sequence, state);
        }
    }

    /// <summary>Gives back the draft model's blocks of every choice that is no longer live (finished, aborted).</summary>
    public void Sweep(IReadOnlyList<RequestState> active) => _draftModel?.Sweep(active);

    /// <summary>Throws unless the draft model's pool is consistent with the sequences it holds.</summary>
    public void CheckIntegrity() => _draftModel?.CheckIntegrity();

    /// <summary>Whether a draft accepted with chance <paramref name="chance"/> raises the tokens per second of a step expected to give <paramref name="tokens"/> in <paramref name="cost"/> seconds.</summary>
    private bool Pays(double chance, double tokens, double cost, double perDraft) =>
        !_options.CostAware || cost <= 0 || chance * cost > perDraft * tokens;

    /// <summary>How many of the drafts with these <paramref name="chances"/> (each given the ones before it were accepted) pay; adds them to the step's expected tokens and cost.</summary>
    private int Affordable(ReadOnlySpan<double> chances, double perDraft, ref double tokens, ref double cost)
    {
        var (count, accepted) = (0, 1.0);
        while (count < chances.Length && Pays(accepted * chances[count], tokens, cost, perDraft))
        {
            accepted *= chances[count++];
            tokens += accepted;
            cost += perDraft;
        }
        return count;
    }

    private void Drafted(Sequence sequence, SequenceSpeculation state)
    {
        sequence.Drafts = state.Drafts;
        _proposed[sequence] = state;
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
            _methodAcceptance.Verified(chunk.Drafts.Count, accepted);
            _draftTokens += chunk.Drafts.Count;
            _acceptedTokens += accepted;
            _acceptedPerVerification[accepted]++;
        }
    }

    private IDraftProposer? NewProposer() => _options.Method switch
    {
        SpeculativeMethod.Suffix => new SuffixProposer(_tree!),
        SpeculativeMethod.Draft => null,
        _ => new NgramProposer(_options.NgramMin, _options.NgramMax),
    };
}
