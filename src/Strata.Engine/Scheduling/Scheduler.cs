using Strata.Engine.Caching;
using Strata.Engine.Running;

namespace Strata.Engine.Scheduling;

/// <summary>
/// Continuous batching, as policy only: which sequences run, in what order, under a token budget and a cap on running
/// sequences; the KV path behind each decision belongs to the <see cref="CacheCoordinator"/>. Each step takes the
/// running sequences in order (a decode needs one token plus any drafts, a prompt mid-prefill a chunk) and then
/// admits waiting ones in order while the budget and the free blocks allow. Both lists are kept in
/// <paramref name="order"/> (first come, first served by default), so when blocks run out the last running sequence
/// is preempted: its blocks are freed and it waits in its place to be recomputed — no request fails because others
/// are running. A sequence whose cached prefix is still loading is passed over, never waited for.
/// </summary>
internal sealed class Scheduler(CacheCoordinator cache, int maxBatchedTokens, int maxSequences, IComparer<Sequence> order)
{
    private readonly LinkedList<Sequence> _waiting = new();
    private readonly List<Sequence> _running = [];
    private readonly SchedulerPlan _plan = new();

    public int WaitingCount => _waiting.Count;

    public int RunningCount => _running.Count;

    public long Preemptions { get; private set; }

    public bool HasWork => _waiting.Count > 0 || _running.Count > 0;

    /// <summary>Every sequence the scheduler holds, running first.</summary>
    public IEnumerable<Sequence> Sequences => _running.Concat(_waiting);

    public void Enqueue(Sequence sequence) => Insert(_waiting, sequence);

    public SchedulerPlan Schedule()
    {
        _plan.Clear();
        var budget = maxBatchedTokens;
        var preempted = false;
        for (var i = 0; i < _running.Count && budget > 0; i++)
        {
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
        for (var node = _waiting.First; !preempted && budget > 0 && node is not null && _running.Count < maxSequences;)
        {
            var next = node.Next;
            var admission = TryAdmit(node.Value, ref budget);
            if (admission == Admission.NoRoom)
                break;
            if (admission == Admission.Admitted)
            {
                _waiting.Remove(node);
                Insert(_running, node.Value);
            }
            node = next;
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
        cache.Admit(sequence, match, count, _plan);
        _plan.Admissions.Add((sequence, match));
        _plan.Add(sequence, count, [], ForksOf(sequence, count));
        budget -= count;
        return Admission.Admitted;
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
        Insert(_waiting, victim);
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
            Insert(_running, fork);
        }
        else
        {
            Insert(_waiting, fork);
        }
    }

    /// <summary>Inserts in <paramref name="order"/>, after equals; arrivals come last, so the search starts there.</summary>
    private void Insert(LinkedList<Sequence> list, Sequence sequence)
    {
        var node = list.Last;
        while (node is not null && order.Compare(node.Value, sequence) > 0)
            node = node.Previous;
        if (node is null)
            list.AddFirst(sequence);
        else
            list.AddAfter(node, sequence);
    }

    private void Insert(List<Sequence> list, Sequence sequence)
    {
        var at = list.Count;
        while (at > 0 && order.Compare(list[at - 1], sequence) > 0)
            at--;
        list.Insert(at, sequence);
    }
}
