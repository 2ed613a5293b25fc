using Strata.Engine.Requests;

namespace Strata.Engine.Control;

/// <summary>
/// Predicts a new request's time to first token and time per output token by playing the scheduler forward on the
/// queue ahead of it, step by step, with the fitted step cost law: the running sequences decode (or finish their
/// prefill) first, then the waiting ones are admitted in order under the token budget and the cap on running
/// sequences, and the request's own prompt (less what the prefix cache holds) comes after them. With tier scheduling
/// only the same and higher tiers are ahead: lower ones give way (preempted if need be), and their running decodes
/// only add to the cost of a step. Pure and cheap (a deep queue plays a few hundred steps), so it runs on the
/// submitting thread.
/// </summary>
internal sealed class ServiceTimePredictor(int maxBatchedTokens, int maxSequences, bool byTier)
{
    private const int TpotSampleTokens = 8;
    private const int MaxSteps = 100_000;

    /// <param name="submitted">Requests accepted but not yet in the engine's queue, in arrival order.</param>
    /// <param name="uncachedPromptTokens">The request's prompt tokens the prefix cache is not expected to hold.</param>
    /// <param name="horizon">Stop playing once this far ahead: the request would miss its target anyway.</param>
    public ServiceTimePrediction Predict(QueueSnapshot queue, IEnumerable<SequenceLoad> submitted, StepCost cost, ServiceTier tier,
        int uncachedPromptTokens, int maxTokens, TimeSpan horizon)
    {
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
        var waiting = new Queue<Simulated>(queue.Waiting.Concat(submitted).Where(l => Ahead(l.Tier, tier)).Select(l => new Simulated(l)));
        var own = new Simulated(new SequenceLoad(tier, Math.Max(1, uncachedPromptTokens), maxTokens, Math.Max(1, uncachedPromptTokens), Decoding: false));
        waiting.Enqueue(own);

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
            while (budget > 0 && running.Count < maxSequences && waiting.Count > 0)
            {
                var admitted = waiting.Dequeue();
                running.Add(admitted);
                admitted.Run(ref budget, ref prefill, ref decodes, ref context);
            }
            if (backgroundDecodes > 0 && budget > 0)
            {
                var share = Math.Min(1, budget / backgroundDecodes);
                decodes += backgroundDecodes * share;
                context += backgroundContext * share;
            }
            time += cost.Seconds(prefill, decodes, context);
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
