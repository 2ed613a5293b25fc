using System.Runtime.InteropServices;

namespace Strata.Engine.Sampling;

/// <summary>
/// Chooses tokens for one sequence: logit bias, then penalties, then (unless greedy) temperature, top-k, top-p and
/// min-p, then a draw from the seeded random stream. Reuses its buffers, so sampling allocates nothing per token.
/// </summary>
public sealed class Sampler
{
    private readonly SamplingParams _params;
    private readonly Random _random;
    private readonly Dictionary<int, int> _counts = [];
    private Candidate[] _candidates = [];

    public Sampler(SamplingParams parameters, ulong seed)
    {
        _params = parameters;
        _random = new Random(unchecked((int)(seed ^ (seed >> 32))));
    }

    /// <summary>Picks the next token. <paramref name="logits"/> is modified in place.</summary>
    /// <param name="prompt">The prompt tokens (for the repetition penalty).</param>
    /// <param name="generated">The tokens generated so far (for all penalties).</param>
    public int Sample(Span<float> logits, ReadOnlySpan<int> prompt, ReadOnlySpan<int> generated)
    {
        foreach (var (token, bias) in _params.LogitBias)
        {
            if ((uint)token < (uint)logits.Length)
                logits[token] += bias;
        }
        ApplyPenalties(logits, prompt, generated);
        return _params.IsGreedy ? ArgMax(logits) : Draw(logits);
    }

    /// <summary>The index of the largest logit; the lowest index wins a tie.</summary>
    public static int ArgMax(ReadOnlySpan<float> logits)
    {
        var best = 0;
        for (var i = 1; i < logits.Length; i++)
        {
            if (logits[i] > logits[best])
                best = i;
        }
        return best;
    }

    private void ApplyPenalties(Span<float> logits, ReadOnlySpan<int> prompt, ReadOnlySpan<int> generated)
    {
        var p = _params;
        if (p.RepetitionPenalty != 1f)
        {
            CountRecent(prompt, generated, p.PenaltyWindow, includePrompt: true);
            foreach (var token in _counts.Keys)
                logits[token] = logits[token] > 0 ? logits[token] / p.RepetitionPenalty : logits[token] * p.RepetitionPenalty;
        }
        if (p.FrequencyPenalty != 0f || p.PresencePenalty != 0f)
        {
            CountRecent(prompt, generated, p.PenaltyWindow, includePrompt: false);
            foreach (var (token, count) in _counts)
                logits[token] -= count * p.FrequencyPenalty + p.PresencePenalty;
        }
    }

    /// <summary>Counts each token among the last <paramref name="window"/> tokens of prompt followed by generated.</summary>
    private void CountRecent(ReadOnlySpan<int> prompt, ReadOnlySpan<int> generated, int window, bool includePrompt)
    {
        _counts.Clear();
        var recentGenerated = window < 0 ? generated : generated[Math.Max(0, generated.Length - window)..];
        foreach (var token in recentGenerated)
            CollectionsMarshal.GetValueRefOrAddDefault(_counts, token, out _)++;
        if (!includePrompt)
            return;
        var fromPrompt = window < 0 ? prompt.Length : Math.Min(prompt.Length, window - recentGenerated.Length);
        foreach (var token in prompt[(prompt.Length - fromPrompt)..])
            CollectionsMarshal.GetValueRefOrAddDefault(_counts, token, out _)++;
    }

    private int Draw(Span<float> logits)
    {
        var p = _params;
        var n = SelectCandidates(logits, p.TopK);
        var candidates = _candidates.AsSpan(0, n);
        var max = candidates[0].Logit;
        var total = 0.0;
        for (var i = 0; i < n; i++)
        {
            candidates[i].Probability = Math.Exp((candidates[i].Logit - max) / p.Temperature);
            total += candidates[i].Probability;
        }

        var kept = n;
        if (p.TopP < 1f)
        {
            var cumulative = 0.0;
            for (var i = 0; i < n; i++)
            {
                cumulative += candidates[i].Probability / total;
                if (cumulative >= p.TopP)
                {
                    kept = i + 1;
                    break;
                }
            }
        }
        if (p.MinP > 0f)
        {
            var threshold = candidates[0].Probability * p.MinP;
            var i = 1;
            while (i < kept && candidates[i].Probability >= threshold)
                i++;
            kept = i;
        }

        var keptTotal = 0.0;
        for (var i = 0; i < kept; i++)
            keptTotal += candidates[i].Probability;
        var target = _random.NextDouble() * keptTotal;
        for (var i = 0; i < kept; i++)
        {
            target -= candidates[i].Probability;
            if (target < 0)
                return candidates[i].Token;
        }
        return candidates[kept - 1].Token;
    }

    /// <summary>Fills the candidate buffer with the top <paramref name="topK"/> tokens (all when 0), most likely first.</summary>
    private int SelectCandidates(ReadOnlySpan<float> logits, int topK)
    {
        if (_candidates.Length < logits.Length)
            _candidates = new Candidate[logits.Length];
        for (var i = 0; i < logits.Length; i++)
            _candidates[i] = new Candidate(i, logits[i]);
        var all = _candidates.AsSpan(0, logits.Length);
        all.Sort(MostLikelyFirst);
        return topK > 0 ? Math.Min(topK, logits.Length) : logits.Length;
    }

    private static readonly Comparison<Candidate> MostLikelyFirst =
        static (a, b) => b.Logit != a.Logit ? b.Logit.CompareTo(a.Logit) : a.Token.CompareTo(b.Token);

    private struct Candidate(int token, float logit)
    {
        public readonly int Token = token;
        public readonly float Logit = logit;
        public double Probability;
    }
}
