using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Strata.Engine.Constraints;

namespace Strata.Engine.Sampling;

/// <summary>
/// Chooses tokens for one sequence: logit bias, then penalties, then (unless greedy) temperature, top-k, top-p and
/// min-p, then a draw from the seeded random stream. Constraints (a grammar, banned token sequences) mask the logits
/// after the penalties and advance over the chosen token. Reuses its buffers, so sampling allocates nothing per token.
/// </summary>
public sealed class Sampler
{
    private readonly SamplingParams _params;
    private readonly Random _random;
    private readonly Dictionary<int, int> _counts = [];
    private readonly IReadOnlyList<ITokenConstraint> _constraints;
    private Candidate[] _candidates = [];
    private float[] _weights = [];
    private float[] _probabilities = [];

    public Sampler(SamplingParams parameters, ulong seed, IReadOnlyList<ITokenConstraint>? constraints = null)
    {
        _params = parameters;
        _random = new Random(unchecked((int)(seed ^ (seed >> 32))));
        _constraints = constraints ?? [];
    }

    /// <summary>Whether any constraint (grammar, banned sequences) limits the tokens.</summary>
    public bool HasConstraints => _constraints.Count > 0;

    /// <summary>A constraint allows nothing more: the sequence is finished.</summary>
    public bool IsConstraintComplete
    {
        get
        {
            foreach (var constraint in _constraints)
            {
                if (constraint.IsComplete)
                    return true;
            }
            return false;
        }
    }

    /// <summary>Picks the next token. <paramref name="logits"/> is modified in place.</summary>
    /// <param name="prompt">The prompt tokens (for the repetition penalty).</param>
    /// <param name="generated">The tokens generated so far (for all penalties).</param>
    public int Sample(Span<float> logits, ReadOnlySpan<int> prompt, ReadOnlySpan<int> generated)
    {
        Adjust(logits, prompt, generated);
        var chosen = _params.IsGreedy ? ArgMax(logits) : Draw(logits);
        foreach (var constraint in _constraints)
            constraint.Accept(chosen);
        return chosen;
    }

    /// <summary>
    /// Verifies <paramref name="draft"/>, drawn by a draft model from <paramref name="proposal"/> (q), against this
    /// sampler's distribution p for <paramref name="logits"/> — the rule of speculative sampling: keep it with probability
    /// min(1, p(draft) / q(draft)), otherwise draw from max(p − q, 0) normalized — so the token returned follows p
    /// exactly. Greedy sampling returns the argmax as <see cref="Sample"/> does. <paramref name="logits"/> is modified in place.
    /// </summary>
    public int SampleDraft(Span<float> logits, ReadOnlySpan<int> prompt, ReadOnlySpan<int> generated, int draft, ReadOnlySpan<float> proposal)
    {
        if (_params.IsGreedy)
            return Sample(logits, prompt, generated);
        if (_probabilities.Length < logits.Length)
            _probabilities = new float[logits.Length];
        var p = _probabilities.AsSpan(0, logits.Length);
        Distribution(logits, prompt, generated, p);
        int chosen;
        if (_random.NextDouble() * proposal[draft] < p[draft])
        {
            chosen = draft;
        }
        else
        {
            // The residual is zero at the draft itself (p < q there), so the draft is never drawn again.
            var total = 0.0;
            for (var i = 0; i < p.Length; i++)
            {
                p[i] = MathF.Max(0, p[i] - proposal[i]);
                total += p[i];
            }
            chosen = total > 0 ? DrawFrom(p, total) : draft;
        }
        foreach (var constraint in _constraints)
            constraint.Accept(chosen);
        return chosen;
    }

    /// <summary>
    /// The distribution <see cref="Sample"/> draws from for these logits — after logit bias, penalties, constraint masks, temperature,
    /// top-k, top-p and min-p — written to <paramref name="probabilities"/> (what rejection sampling of draft tokens
    /// compares against). Greedy sampling is the one-hot distribution of its pick. <paramref name="logits"/> is
    /// modified in place; the random stream is not touched.
    /// </summary>
    public void Distribution(Span<float> logits, ReadOnlySpan<int> prompt, ReadOnlySpan<int> generated, Span<float> probabilities)
    {
        Adjust(logits, prompt, generated);
        probabilities[..logits.Length].Clear();
        if (_params.IsGreedy)
        {
            probabilities[ArgMax(logits)] = 1f;
            return;
        }
        var weights = Weights(logits, _params.Temperature);
        if (!Truncates)
        {
            TensorPrimitives.Divide(weights, TensorPrimitives.Sum(weights), probabilities[..weights.Length]);
            return;
        }
        var kept = Kept(weights);
        var keptTotal = 0.0;
        foreach (var c in kept)
            keptTotal += c.Weight;
        foreach (var c in kept)
            probabilities[c.Token] = (float)(c.Weight / keptTotal);
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

    private bool Truncates => _params.TopK > 0 || _params.TopP < 1f || _params.MinP > 0f;

    /// <summary>Logit bias, the penalties, then the constraints' masks.</summary>
    private void Adjust(Span<float> logits, ReadOnlySpan<int> prompt, ReadOnlySpan<int> generated)
    {
        foreach (var (token, bias) in _params.LogitBias)
        {
            if ((uint)token < (uint)logits.Length)
                logits[token] += bias;
        }
        ApplyPenalties(logits, prompt, generated);
        foreach (var constraint in _constraints)
            constraint.Mask(logits, generated, _params.MaxTokens - generated.Length);
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

    /// <summary>Draws from the temperature-scaled distribution truncated by top-k, top-p and min-p.</summary>
    private int Draw(Span<float> logits)
    {
        var weights = Weights(logits, _params.Temperature);
        if (!Truncates)
            return DrawFrom(weights);

        var kept = Kept(weights);
        var keptTotal = 0.0;
        for (var i = 0; i < kept.Length; i++)
            keptTotal += kept[i].Weight;
        var target = _random.NextDouble() * keptTotal;
        for (var i = 0; i < kept.Length; i++)
        {
            target -= kept[i].Weight;
            if (target < 0)
                return kept[i].Token;
        }
        return kept[^1].Token;
    }

    /// <summary>
    /// The tokens top-k, top-p and min-p keep, most likely first. Only tokens that can survive the truncation are
    /// sorted: min-p keeps weights ≥ min_p of the best; top-p can never keep a token whose probability is below
    /// (1 − top_p) / vocab, because all tokens that unlikely together hold less than 1 − top_p of the mass.
    /// </summary>
    private Span<Candidate> Kept(ReadOnlySpan<float> weights)
    {
        var p = _params;
        var candidates = p.TopK > 0 ? TopK(weights, p.TopK) : AboveCutoff(weights, p);
        candidates.Sort(MostLikelyFirst);
        var total = 0.0;
        if (p.TopK > 0)
        {
            foreach (var c in candidates)
                total += c.Weight;
        }
        else
        {
            total = TensorPrimitives.Sum(weights);
        }

        var kept = candidates.Length;
        if (p.TopP < 1f)
        {
            var cumulative = 0.0;
            for (var i = 0; i < candidates.Length; i++)
            {
                cumulative += candidates[i].Weight / total;
                if (cumulative >= p.TopP)
                {
                    kept = i + 1;
                    break;
                }
            }
        }
        if (p.MinP > 0f)
        {
            var threshold = candidates[0].Weight * p.MinP;
            var i = 1;
            while (i < kept && candidates[i].Weight >= threshold)
                i++;
            kept = i;
        }
        return candidates[..kept];
    }

    /// <summary>exp((logit − max) / T) for every token: unnormalised probabilities, the best being 1.</summary>
    private Span<float> Weights(ReadOnlySpan<float> logits, float temperature)
    {
        if (_weights.Length < logits.Length)
            _weights = new float[logits.Length];
        var weights = _weights.AsSpan(0, logits.Length);
        TensorPrimitives.Subtract(logits, TensorPrimitives.Max(logits), weights);
        TensorPrimitives.Multiply(weights, 1f / temperature, weights);
        TensorPrimitives.Exp(weights, weights);
        return weights;
    }

    private int DrawFrom(ReadOnlySpan<float> weights) => DrawFrom(weights, TensorPrimitives.Sum(weights));

    private int DrawFrom(ReadOnlySpan<float> weights, double total)
    {
        var target = _random.NextDouble() * total;
        for (var i = 0; i < weights.Length; i++)
        {
            target -= weights[i];
            if (target < 0)
                return i;
        }
        return weights.Length - 1;
    }

    /// <summary>The <paramref name="k"/> heaviest tokens (a min-heap of the best seen so far), unsorted.</summary>
    private Span<Candidate> TopK(ReadOnlySpan<float> weights, int k)
    {
        k = Math.Min(k, weights.Length);
        var heap = Candidates(k);
        for (var i = 0; i < k; i++)
            heap[i] = new Candidate(i, weights[i]);
        for (var i = k / 2 - 1; i >= 0; i--)
            SiftDown(heap, i);
        for (var i = k; i < weights.Length; i++)
        {
            if (MostLikelyFirst(new Candidate(i, weights[i]), heap[0]) >= 0)
                continue;
            heap[0] = new Candidate(i, weights[i]);
            SiftDown(heap, 0);
        }
        return heap;
    }

    /// <summary>Tokens that top-p and min-p could still keep.</summary>
    private Span<Candidate> AboveCutoff(ReadOnlySpan<float> weights, SamplingParams p)
    {
        var cutoff = p.MinP > 0 ? p.MinP : 0f;
        if (p.TopP < 1f)
            cutoff = MathF.Max(cutoff, (1f - p.TopP) / weights.Length * TensorPrimitives.Sum(weights));
        var all = Candidates(weights.Length);
        var count = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            if (weights[i] >= cutoff)
                all[count++] = new Candidate(i, weights[i]);
        }
        return all[..count];
    }

    /// <summary>Restores the min-heap property (the least likely candidate on top) below <paramref name="i"/>.</summary>
    private static void SiftDown(Span<Candidate> heap, int i)
    {
        while (true)
        {
            var least = i;
            foreach (var child in (ReadOnlySpan<int>)[2 * i + 1, 2 * i + 2])
            {
                if (child < heap.Length && MostLikelyFirst(heap[child], heap[least]) > 0)
                    least = child;
            }
            if (least == i)
                return;
            (heap[i], heap[least]) = (heap[least], heap[i]);
            i = least;
        }
    }

    private Span<Candidate> Candidates(int count)
    {
        if (_candidates.Length < count)
            _candidates = new Candidate[count];
        return _candidates.AsSpan(0, count);
    }

    /// <summary>Heavier first; the lower token id first among equals, so results do not depend on scan order.</summary>
    private static int MostLikelyFirst(Candidate a, Candidate b) =>
        b.Weight != a.Weight ? b.Weight.CompareTo(a.Weight) : a.Token.CompareTo(b.Token);

    private readonly record struct Candidate(int Token, float Weight);
}
