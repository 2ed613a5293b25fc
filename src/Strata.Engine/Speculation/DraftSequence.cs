using Strata.Engine.Sampling;
using Strata.KvCache;

namespace Strata.Engine.Speculation;

/// <summary>
/// One sequence in the draft model's cache: its blocks in the draft's pool, the tokens whose keys and values they hold
/// (the sequence's tokens, then the drafts fed back while proposing), and how it draws drafts — the request's sampling
/// without its constraints, from a random stream of its own.
/// </summary>
internal sealed class DraftSequence(Sampler sampler, ulong seed)
{
    private readonly List<int> _cached = [];
    private int _confirmed;

    public BlockTable Table { get; } = new();

    public Sampler Sampler { get; } = sampler;

    /// <summary>
    /// Its draws, seeded from the choice's seed mixed (SplitMix64's finalizer): System.Random's first outputs for nearby
    /// seeds are nearly linear in the seed, and drafts drawn in step with the target's own stream would bias acceptance.
    /// </summary>
    public Random Random { get; } = new(Mix(seed));

    /// <summary>Positions with keys and values in the draft's cache.</summary>
    public int Cached => _cached.Count;

    /// <summary>The last sweep that found its choice still live.</summary>
    public long Alive { get; set; }

    /// <summary>The last step that asked it for drafts (its blocks are not given up for others then).</summary>
    public long Drafting { get; set; }

    /// <summary>
    /// The length of the cache's prefix that <paramref name="tokens"/> still agrees with — drafts the target rejected
    /// disagree — but never the last token, whose logits the next proposal needs. The cache forgets what follows.
    /// </summary>
    public int Reconcile(ReadOnlySpan<int> tokens)
    {
        // A sequence's tokens never change, so what agreed before still does: only the drafts fed back since are compared.
        var limit = Math.Min(_cached.Count, tokens.Length - 1);
        var agreed = Math.Min(_confirmed, limit);
        while (agreed < limit && _cached[agreed] == tokens[agreed])
            agreed++;
        _cached.RemoveRange(agreed, _cached.Count - agreed);
        _confirmed = agreed;
        return agreed;
    }

    private static int Mix(ulong seed)
    {
        var z = seed + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return unchecked((int)(z ^ (z >> 31)));
    }

    public void Append(int token) => _cached.Add(token);

    public void Forget()
    {
        _cached.Clear();
        _confirmed = 0;
    }
}
