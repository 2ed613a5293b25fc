using Strata.Engine.Caching;
using Strata.Engine.Running;

namespace Strata.Engine.Scheduling;

/// <summary>
/// Continuous batching, as policy only: which sequences run, in what order, under a token budget and a cap on running
/// sequences; the KV path behind each decision belongs to the <see cref="CacheCoordinator"/>. Each step puts both lists
/// in the <paramref name="policy"/>'s order, takes the running sequences in that order (a decode needs one token plus
/// any drafts, a prompt mid-prefill a chunk) and then admits waiting ones while the budget and the free blocks allow.
/// A waiting sequence that outranks a running one (a higher service tier) is admitted before it, preempting the
/// lowest-ranked running sequences if it needs their blocks or slots. When blocks run out for growth, the last running
/// sequence is preempted: its blocks are freed (full ones stay cached, and move down to the host tier if the pool needs
/// them, so they come back without recompute) and it waits in its place — no request fails because others are
/// running. A sequence whose cached prefix is still loading is passed over, never waited for.
/// </summary>
internal sealed class Scheduler(CacheCoordinator cache, int maxBatchedTokens, int maxSequences, ISchedulingPolicy policy)
{
    private readonly List<Sequence> _waiting = [];
    private readonly List<Sequence> _running = [];
    private readonly SchedulerPlan _plan = new();

    public int WaitingCount => _waiting.Count;

    public int RunningCount => _running.Count;

    public long Preemptions { get; private set; }

    /// <summary>Preemptions made so that a waiting sequence of a higher rank could run.</summary>
    public long RankPreemptions { get; private set; }

    public bool HasWork => _waiting.Count > 0 || _running.Count > 0;

    public ISchedulingPolicy Policy => policy;

    /// <summary>Every sequence the scheduler holds, running first.</summary>
    public IEnumerable<Sequence> Sequences => _running.Concat(_waiting);

    public IReadOnlyList<Sequence> Waiting => _waiting;

    public IReadOnlyList<Sequence> Running => _running;

    public void Enqueue(Sequence sequence) => _waiting.Add(sequence);

    public SchedulerPlan Schedule()
    {
        _plan.Clear();
        policy.Sort(_running);
        policy.Sort(_waiting);
        var budget = maxBatchedTokens;
        var preempted = false;
        var next = 0; // the first waiting sequence not yet considered
        var queued = _waiting.Count; // sequences preempted during the step go after these and wait for the next one
        for (var i = 0; i < _running.Count && budget > 0; i++)
        {
            // Waiting sequences that outrank this one go first, in its place.
            // (An admission may have preempted every running sequence from here on: then none is left to outrank.)
            while (budget > 0 && next < queued && i < _running.Count && policy.Outranks(_waiting[next], _running[i]))
            {
                var admission = TryAdmitAhead(_waiting[next], i, ref budget);
                if (admission == Admission.NoRoom)
                    break;
                if (admission == Admission.Admitted)
                {
                    _running.Insert(i++, _waiting[next]);
                    _waiting.RemoveAt(next);
                    queued--;
                }
                else
                {
                    next++;
                }
            }
            if (i >= _running.Count || budget == 0)
                break;
            var sequence = _running[i];
            var count = Math.Min(sequence.PendingCount, budget);
            if (count == 0)
                continue;
            if (!MakeRoom(sequence, count))
            {
                preempted = true;
                break;
            }
            var drafts = DraftsFor(sequence, count, budget - count);
            cache.Grow(sequence, count + drafts.Count, _plan);
            _plan.Add(sequence, count, drafts, ForksOf(sequence, count));
            budget -= count + drafts.Count;
        }

        // Admitting new work in a step that had to preempt would only thrash. A sequence still loading its cached
        // prefix is passed over, not waited for.
        while (!preempted && budget > 0 && next < queued && _running.Count < maxSequences)
        {
            var admission = TryAdmit(_waiting[next], ref budget);
            if (admission == Admission.NoRoom)
                break;
            if (admission == Admission.Admitted)
            {
                _running.Add(_waiting[next]);
                _waiting.RemoveAt(next);
                queued--;
            }
            else
            {
                next++;
            }
        }
        return _plan;
    }

    /// <summary>
    /// Applies what the plan's step produced: the accepted tokens join their sequences, every chunk's positions that
    /// hold valid K/V are committed to the cache (rejected drafts leave the table), and the other choices of a prompt
    /// that just finished fork from it.
    /// </summary>
    public void Commit(SchedulerPlan plan, StepResult result)
    {
        foreach (var token in result.Tokens)
            token.Sequence.Append(token.Token);
        foreach (var chunk in plan.Chunks)
        {
            var sequence = chunk.Sequence;
            var computed = chunk.Start + chunk.Count;
            if (chunk.ProducesToken)
            {
                computed += AcceptedDrafts(chunk);
                sequence.Drafts = [];
            }
            cache.Commit(sequence, chunk.Start, computed);
            if (chunk.Forks.Count == 0)
                continue;
            foreach (var fork in chunk.Forks)
                PlaceFork(sequence, fork);
            sequence.Forks.Clear();
        }
    }

    /// <summary>Removes a finished or cancelled sequence and frees its blocks.</summary>
    public void Remove(Sequence sequence)
    {
        if (!_running.Remove(sequence))
            _waiting.Remove(sequence);
        cache.Release(sequence);
    }

    /// <summary>Throws unless block references match exactly what the live sequences hold.</summary>
    public void CheckIntegrity() => cache.CheckIntegrity(Sequences.Select(s => s.Table));

    private enum Admission { Admitted, Deferred, NoRoom }

    /// <summary>Plans a waiting sequence's first chunk, after its longest cached prefix.</summary>
    private Admission TryAdmit(Sequence sequence, ref int budget)
    {
        if (cache.Match(sequence) is not { } match)
            return Admission.Deferred;
        var count = Math.Min(sequence.Length - match.Start, budget);
        if (!cache.CanAdmit(match, count))
            return Admission.NoRoom;
        if (sequence.CachedPromptTokens is null)
            policy.Admitted(sequence);
        cache.Admit(sequence, match, count, _plan);
        _plan.Add(sequence, count, [], ForksOf(sequence, count));
        budget -= count;
        return Admission.Admitted;
    }

    /// <summary>
    /// Admits a waiting sequence ahead of the running one at <paramref name="position"/>, which it outranks: running
    /// sequences it outranks, from the last, are preempted while it lacks a slot or blocks for its first chunk.
    /// </summary>
    private Admission TryAdmitAhead(Sequence sequence, int position, ref int budget)
    {
        while (true)
        {
            if (_running.Count < maxSequences)
            {
                var admission = TryAdmit(sequence, ref budget);
                if (admission != Admission.NoRoom)
                    return admission;
            }
            var victim = _running[^1];
            if (_running.Count - 1 < position || !policy.Outranks(sequence, victim))
                return Admission.NoRoom;
            Preempt(victim);
            RankPreemptions++;
        }
    }

    /// <summary>Preempts the last running sequences until <paramref name="sequence"/> can grow; false if it had to go itself.</summary>
    private bool MakeRoom(Sequence sequence, int count)
    {
        while (!cache.CanGrow(sequence, count))
        {
            var victim = _running[^1];
            Preempt(victim);
            if (victim == sequence)
                return false;
        }
        return true;
    }

    private void Preempt(Sequence victim)
    {
        _running.Remove(victim);
        cache.Release(victim);
        _waiting.Add(victim);
        Preemptions++;
    }

    /// <summary>The drafts to verify with a chunk that reaches the sequence's end: as many as the budget allows, none if their blocks would need a preemption.</summary>
    private IReadOnlyList<int> DraftsFor(Sequence sequence, int count, int spare)
    {
        var drafts = sequence.Drafts;
        if (drafts.Count == 0 || count != sequence.PendingCount || sequence.Forks.Count > 0)
            return [];
        var take = Math.Min(drafts.Count, spare);
        if (take == 0 || !cache.CanGrow(sequence, count + take))
            return [];
        return take == drafts.Count ? drafts : drafts.Take(take).ToArray();
    }

    /// <summary>The choices that fork from a chunk that finishes the prompt.</summary>
    private static IReadOnlyList<Sequence> ForksOf(Sequence sequence, int count) =>
        sequence.Forks.Count > 0 && sequence.ComputedCount + count == sequence.Length ? sequence.Forks : [];

    /// <summary>How many of a chunk's drafts the step accepted: the tokens it appended, less the one sampled after them.</summary>
    private static int AcceptedDrafts(ScheduledChunk chunk)
    {
        var sequence = chunk.Sequence;
        var accepted = sequence.Length - (chunk.Start + chunk.Count) - 1;
        if (accepted < 0 || accepted > chunk.Drafts.Count)
            throw new InvalidOperationException($"the step returned {accepted + 1} tokens for {sequence}, which had {chunk.Drafts.Count} drafts");
        for (var i = 0; i < accepted; i++)
        {
            if (sequence.Tokens[chunk.Start + chunk.Count + i] != chunk.Drafts[i])
                throw new InvalidOperationException($"the step accepted token {sequence.Tokens[chunk.Start + chunk.Count + i]} for {sequence} where draft {i} was {chunk.Drafts[i]}");
        }
        return accepted;
    }

    /// <summary>
    /// Starts another choice of a request whose prompt just finished, from the prompt's blocks. Over the cap on running
    /// sequences it waits instead, holding no blocks, and is admitted later like any other (its prompt blocks are then
    /// found in the prefix cache).
    /// </summary>
    private void PlaceFork(Sequence parent, Sequence fork)
    {
        fork.CachedPromptTokens = parent.CachedPromptTokens;
        if (_running.Count < maxSequences)
        {
            cache.Fork(parent, fork);
            _running.Add(fork);
        }
        else
        {
            _waiting.Add(fork);
        }
    }
}
