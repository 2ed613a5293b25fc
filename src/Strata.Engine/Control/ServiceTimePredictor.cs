using Strata.Engine.Requests;

namespace Strata.Engine.Control;

/// <summary>
/// Predicts a new request's time to first token and time per output token by playing the scheduler forward on the
/// queue ahead of it, step by step, with the fitted step cost law: the running sequences decode (or finish their
/// prefill) first, then the waiting ones are admitted in order under the token budget and the cap on running
/// sequences, and the request's own prompt (less what the prefix cache holds) comes after them. With tier scheduling
/// only the same and higher tiers are ahead: lower ones give way (preempted if need be), and their running decodes
/// only add to the cost of a step; higher tiers still arriving at their recent rate go ahead of it too, as they join
/// while it waits. In its own tier, tenants take turns: another tenant's queued requests are ahead only up to one more
/// than the request's own tenant has queued. Pure and cheap (a deep queue plays a few hundred steps), so it runs on the
/// submitting thread.
/// </summary>
internal sealed class ServiceTimePredictor(int maxBatchedTokens, int maxSequences, bool byTier)
{
    private const int TpotSampleTokens = 8;
    private const int MaxSteps = 100_000;

    /// <param name="submitted">Requests accepted but not yet in the engine's queue, in arrival order.</param>
    /// <param name="uncachedPromptTokens">The request's prompt tokens the prefix cache is not expected to hold.</param>
    /// <param name="horizon">Stop playing once this far ahead: the request would miss its target anyway.</param>
    /// <param name="arrivals">Each tier's recent arrivals (indexed by tier), of which the higher tiers' join ahead as time passes; none if null.</param>
    /// <param name="tenant">Whose request it is, for the turns tenants take within a tier.</param>
    public ServiceTimePrediction Predict(QueueSnapshot queue, IEnumerable<SequenceLoad> submitted, StepCost cost, ServiceTier tier,
        int uncachedPromptTokens, int maxTokens, TimeSpan horizon, IReadOnlyList<ArrivalRate>? arrivals = null, string tenant = "")
    {
        var expected = new double[Tiers.Count];
        var running = new List<Simulated>();
        double backgroundDecodes = 0, backgroundContext = 0;
        foreach (var load in queue.Running)
        {
            if (Ahead(load.Tier, tier))
            {
                running.Add(new Simulated(load));
            }
            else if (load.Decoding)
            {
                backgroundDecodes++;
                backgroundContext += load.Length;
            }
        }
        var waiting = new List<Simulated>(QueuedAhead(queue.Waiting.Concat(submitted), tier, tenant).Select(l => new Simulated(l)));
        var own = new Simulated(new SequenceLoad(tier, Math.Max(1, uncachedPromptTokens), maxTokens, Math.Max(1, uncachedPromptTokens), Decoding: false));
        waiting.Add(own);
        var next = 0;

        double time = 0, firstToken = -1;
        var horizonSeconds = horizon.TotalSeconds;
        for (var step = 0; step < MaxSteps; step++)
        {
            var budget = maxBatchedTokens;
            double prefill = 0, decodes = 0, context = 0;
            foreach (var sequence in running)
            {
                if (budget == 0)
                    break;
                sequence.Run(ref budget, ref prefill, ref decodes, ref context);
            }
            while (budget > 0 && running.Count < maxSequences && next < waiting.Count)
            {
                var admitted = waiting[next++];
                running.Add(admitted);
                admitted.Run(ref budget, ref prefill, ref decodes, ref context);
            }
            if (backgroundDecodes > 0 && budget > 0)
            {
                var share = Math.Min(1, budget / backgroundDecodes);
                decodes += backgroundDecodes * share;
                context += backgroundContext * share;
            }
            var seconds = cost.Seconds(prefill, decodes, context);
            time += seconds;
            if (byTier && arrivals is not null && own.Generated == 0)
                Join(arrivals, tier, seconds, expected, waiting, ownWaiting: next < waiting.Count);
            if (firstToken < 0 && own.Generated > 0)
                firstToken = time;
            if (firstToken >= 0 && (own.Generated > TpotSampleTokens || own.Remaining == 0))
                break;
            if (firstToken < 0 && time > horizonSeconds)
                return new ServiceTimePrediction(TimeSpan.FromSeconds(time), TimeSpan.Zero, BeyondHorizon: true);
            running.RemoveAll(s => s.Remaining == 0);
        }
        if (firstToken < 0)
            return new ServiceTimePrediction(TimeSpan.FromSeconds(time), TimeSpan.Zero, BeyondHorizon: true);
        var tpot = own.Generated > 1 ? (time - firstToken) / (own.Generated - 1) : cost.Seconds(0, running.Count, 0);
        return new ServiceTimePrediction(TimeSpan.FromSeconds(firstToken), TimeSpan.FromSeconds(tpot), BeyondHorizon: false);
    }

    private bool Ahead(ServiceTier other, ServiceTier tier) => !byTier || other <= tier;

    /// <summary>
    /// The queued requests (in service order) that go before a new one of <paramref name="tenant"/> in <paramref name="tier"/>:
    /// every one of a higher tier, and in its own tier all of its tenant's and, of each other tenant's, as many as take
    /// their turns before it (one more than its tenant has queued).
    /// </summary>
    private IEnumerable<SequenceLoad> QueuedAhead(IEnumerable<SequenceLoad> queued, ServiceTier tier, string tenant)
    {
        var loads = queued.Where(l => Ahead(l.Tier, tier)).ToList();
        if (!byTier)
            return loads;
        var turns = loads.Count(l => l.Tier == tier && l.Tenant == tenant) + 1;
        var taken = new Dictionary<string, int>();
        return loads.Where(l =>
        {
            if (l.Tier != tier || l.Tenant == tenant)
                return true;
            var count = taken.GetValueOrDefault(l.Tenant);
            taken[l.Tenant] = count + 1;
            return count < turns;
        });
    }

    /// <summary>
    /// Adds the higher-tier requests expected to arrive in <paramref name="seconds"/> to the queue: ahead of the request
    /// while it waits (it is the last one), behind everything once it runs.
    /// </summary>
    private static void Join(IReadOnlyList<ArrivalRate> arrivals, ServiceTier tier, double seconds, double[] expected, List<Simulated> waiting, bool ownWaiting)
    {
        for (var higher = 0; higher < (int)tier; higher++)
        {
            var rate = arrivals[higher];
            expected[higher] += rate.PerSecond * seconds;
            for (; expected[higher] >= 1; expected[higher]--)
                waiting.Insert(ownWaiting ? waiting.Count - 1 : waiting.Count, new Simulated(new SequenceLoad((ServiceTier)higher, rate.PromptTokens, rate.MaxTokens, rate.PromptTokens, Decoding: false)));
        }
    }

    /// <summary>One sequence as the prediction plays it.</summary>
    private sealed class Simulated(SequenceLoad load)
    {
        private int _prefill = Math.Max(1, load.PrefillTokens);
        private int _context = Math.Max(0, load.Length - Math.Max(1, load.PrefillTokens));
        private bool _decoding = load.Decoding;

        public int Remaining { get; private set; } = Math.Max(1, load.RemainingTokens);

        public int Generated { get; private set; }

        /// <summary>Runs one step of the sequence: a prefill chunk within the budget, or one decode; a step that ends the prefill, or a decode, yields a token.</summary>
        public void Run(ref int budget, ref double prefill, ref double decodes, ref double context)
        {
            if (Remaining == 0)
                return;
            var take = Math.Min(_prefill, budget);
            budget -= take;
            _prefill -= take;
            _context += take;
            context += _context;
            if (_decoding)
                decodes++;
            else
                prefill += take;
            if (_prefill > 0)
                return;
            Generated++;
            Remaining--;
            _prefill = 1; // the token just sampled is the next step's decode
            _decoding = true;
        }
    }
}
