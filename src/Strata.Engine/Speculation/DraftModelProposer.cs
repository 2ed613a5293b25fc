using Strata.Engine.Running;
using Strata.Engine.Sampling;
using Strata.KvCache;
using Strata.Models;

namespace Strata.Engine.Speculation;

/// <summary>
/// The <c>draft</c> method: a smaller model with the target's vocabulary proposes each sequence's next tokens one at a
/// time, every sequence of the step in the same batch (round j feeds every sequence's draft j − 1). Its cache lives in
/// its own block pool and follows the target lazily: before proposing, a sequence's draft cache is cut back to what its
/// tokens still agree with (rejected drafts leave) and the tokens it has not seen are run first — the prompt after
/// admission or a prefix hit, the accepted drafts and the target's token after a step. Drafts are drawn from the
/// request's own sampling distribution over the draft's logits (q), which the verification compares against the
/// target's (p). A pool too small for everyone gives up the blocks of sequences not drafting this step, then drafts
/// nothing for the sequence that still does not fit; blocks of finished choices go back at the next sweep.
/// </summary>
/// <param name="clock">Times the drafting rounds (the core's clock: virtual in a simulation).</param>
internal sealed class DraftModelProposer(IDraftModel model, int blockSize, int maxDrafts, TimeProvider clock)
{
    /// <summary>Tokens the draft may catch up on per step (a long prompt is run over several steps before it drafts).</summary>
    private const int CatchUpPerStep = 512;

    private readonly BlockManager _blocks = new(model.BlockCount, blockSize);
    private readonly Dictionary<Scheduling.Sequence, DraftSequence> _sequences = [];
    private readonly List<Work> _work = [];
    private readonly ForwardBatch _batch = new();
    private readonly List<BlockCopy> _copies = [];
    private readonly List<EvictedBlock> _evicted = [];
    private float[] _row = [];
    private int[] _history = [];
    private long _step;
    private long _sweep;
    private double _roundSeconds;

    public int UsedBlocks => _blocks.UsedBlocks;

    /// <summary>Seconds a drafting round (one token per drafting sequence) has recently taken; 0 until one ran.</summary>
    public double RoundSeconds => _roundSeconds;

    /// <summary>Writes up to each entry's count drafts to its <see cref="SequenceSpeculation.Drafts"/> (none when the draft cannot hold it).</summary>
    public void Propose(IReadOnlyList<(ChoiceOutput Choice, SequenceSpeculation State, int Count)> requests)
    {
        _step++;
        _work.Clear();
        foreach (var (choice, state, _) in requests)
        {
            state.Drafts.Clear();
            Get(choice).Drafting = _step;
        }
        var catchUp = CatchUpPerStep;
        foreach (var (choice, state, count) in requests)
        {
            var sequence = choice.Sequence;
            var draft = _sequences[sequence];
            var tokens = sequence.Tokens;
            var start = draft.Reconcile(tokens);
            _blocks.Truncate(draft.Table, start);
            // The draft writes positions up to the one before its last draft, all within its context.
            var drafts = Math.Min(count, model.MaxPositions - tokens.Length + 1);
            var end = tokens.Length;
            if (end - start > catchUp)
                (end, drafts) = (start + catchUp, 0);
            if (end == start || (drafts <= 0 && end == tokens.Length))
                continue;
            if (!Reserve(draft, start, end + Math.Max(0, drafts - 1)))
                continue;
            catchUp -= end - start;
            _work.Add(new Work(choice, state, draft, start, end, Math.Max(0, drafts)));
        }
        if (_work.Count > 0)
            RunRounds();
    }

    /// <summary>Gives back the draft blocks of every sequence that is not a live choice of <paramref name="active"/>.</summary>
    public void Sweep(IReadOnlyList<RequestState> active)
    {
        if (_sequences.Count == 0)
            return;
        _sweep++;
        foreach (var request in active)
        {
            foreach (var choice in request.Choices)
            {
                if (!choice.IsFinished && _sequences.TryGetValue(choice.Sequence, out var draft))
                    draft.Alive = _sweep;
            }
        }
        foreach (var (sequence, draft) in _sequences)
        {
            if (draft.Alive == _sweep)
                continue;
            _blocks.Free(draft.Table);
            _sequences.Remove(sequence);
        }
    }

    /// <summary>Throws unless the draft pool's reference counts match the tables of the sequences it holds.</summary>
    public void CheckIntegrity() => _blocks.CheckIntegrity(_sequences.Values.Select(d => d.Table));

    private DraftSequence Get(ChoiceOutput choice)
    {
        if (!_sequences.TryGetValue(choice.Sequence, out var draft))
        {
            // The request's own sampling without its constraints (a grammar's state follows the target's tokens only);
            // verification is exact for any q, so a draft that ignores the grammar only loses acceptance.
            var sampling = choice.Request.Request.Sampling;
            var seed = choice.Request.Seed + (ulong)choice.Choice;
            draft = new DraftSequence(new Sampler(sampling, seed), seed);
            _sequences.Add(choice.Sequence, draft);
        }
        draft.Alive = _sweep;
        return draft;
    }

    /// <summary>Makes <paramref name="draft"/>'s table cover <paramref name="positions"/>, freeing sequences that are not drafting this step if it must.</summary>
    private bool Reserve(DraftSequence draft, int writeFrom, int positions)
    {
        if (!_blocks.CanReserve(draft.Table, writeFrom, positions))
        {
            foreach (var other in _sequences.Values)
            {
                if (other.Drafting == _step || other.Table.Count == 0)
                    continue;
                _blocks.Free(other.Table);
                other.Forget();
                if (_blocks.CanReserve(draft.Table, writeFrom, positions))
                    break;
            }
        }
        if (!_blocks.CanReserve(draft.Table, writeFrom, positions))
        {
            _blocks.Free(draft.Table);
            draft.Forget();
            return false;
        }
        _blocks.Reserve(draft.Table, writeFrom, positions, _copies, _evicted);
        _copies.Clear();
        _evicted.Clear();
        return true;
    }

    private void RunRounds()
    {
        var rounds = 0;
        foreach (var work in _work)
            rounds = Math.Max(rounds, work.Drafts);
        // Round 0 catches every sequence up and draws its first draft; round j feeds draft j − 1 and draws draft j.
        _batch.Clear();
        foreach (var work in _work)
        {
            var index = _batch.AddSequence(work.Draft.Table.Blocks);
            var tokens = work.Choice.Sequence.Tokens;
            for (var position = work.Start; position < work.End; position++)
            {
                _batch.AddToken(index, tokens[position], position, wantLogits: work.Drafts > 0 && position == work.End - 1);
                work.Draft.Append(tokens[position]);
            }
        }
        Draw(model.Forward(_batch), 0);
        var started = clock.GetTimestamp();
        for (var round = 1; round < rounds; round++)
        {
            _batch.Clear();
            foreach (var work in _work)
            {
                if (work.Drafts <= round)
                    continue;
                var previous = work.State.Drafts[round - 1];
                _batch.AddToken(_batch.AddSequence(work.Draft.Table.Blocks), previous, work.End + round - 1, wantLogits: true);
                work.Draft.Append(previous);
            }
            Draw(model.Forward(_batch), round);
        }
        if (rounds > 1)
        {
            var seconds = clock.GetElapsedTime(started).TotalSeconds / (rounds - 1);
            _roundSeconds = _roundSeconds == 0 ? seconds : 0.8 * _roundSeconds + 0.2 * seconds;
        }
    }

    /// <summary>Draws draft <paramref name="round"/> of every sequence still drafting from its row of <paramref name="logits"/>.</summary>
    private void Draw(ReadOnlySpan<float> logits, int round)
    {
        var vocab = model.VocabSize;
        if (_row.Length < vocab)
            _row = new float[vocab];
        var row = 0;
        foreach (var work in _work)
        {
            if (work.Drafts <= round)
                continue;
            var sequence = work.Choice.Sequence;
            var state = work.State;
            var working = _row.AsSpan(0, vocab);
            logits.Slice(row++ * vocab, vocab).CopyTo(working);
            var q = (state.Proposals ??= new DraftDistributions(maxDrafts, vocab))[round];
            work.Draft.Sampler.Distribution(working, sequence.Prompt, History(sequence.Generated, state.Drafts), q);
            state.Drafts.Add(DrawFrom(q, work.Draft.Random));
        }
    }

    /// <summary>The generated tokens the penalties look at: the sequence's, then the drafts so far.</summary>
    private ReadOnlySpan<int> History(ReadOnlySpan<int> generated, List<int> drafts)
    {
        if (drafts.Count == 0)
            return generated;
        var length = generated.Length + drafts.Count;
        if (_history.Length < length)
            _history = new int[Math.Max(length, 2 * _history.Length)];
        generated.CopyTo(_history);
        drafts.CopyTo(_history.AsSpan(generated.Length));
        return _history.AsSpan(0, length);
    }

    private static int DrawFrom(ReadOnlySpan<float> probabilities, Random random)
    {
        var target = random.NextDouble();
        var last = 0;
        for (var i = 0; i < probabilities.Length; i++)
        {
            if (probabilities[i] <= 0)
                continue;
            last = i;
            target -= probabilities[i];
            if (target < 0)
                return i;
        }
        return last;
    }

    /// <summary>One sequence's part of the step: tokens [Start, End) to catch up on, then <see cref="Drafts"/> drafts.</summary>
    private readonly record struct Work(ChoiceOutput Choice, SequenceSpeculation State, DraftSequence Draft, int Start, int End, int Drafts);
}
