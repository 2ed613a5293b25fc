using Strata.Engine.Caching;
using Strata.Engine.Requests;
using Strata.KvCache;
using Strata.KvCache.Prefix;

namespace Strata.Engine.Scheduling;

/// <summary>
/// One sequence as the scheduler and the cache see it: its tokens (prompt then generated), how many of them already
/// have K/V in the cache, the blocks holding that cache, and when and how urgently it arrived. It is made of token ids
/// alone; what becomes of its output (sampler, text, the client's channel) is kept elsewhere under its
/// <see cref="Id"/>.
/// </summary>
internal sealed class Sequence
{
    // Tokens are only ever appended, and growth copies into a new array, so a slice of any array this has held keeps
    // its contents: cached blocks share them (TokenMemory) instead of copying.
    private int[] _tokens;
    private int _count;

    /// <param name="expectedLength">Tokens it is expected to reach (prompt and output), to size its storage once; it grows past them if need be.</param>
    public Sequence(SequenceId id, ReadOnlySpan<int> prompt, SequenceCaching caching, long arrival, ServiceTier tier = ServiceTier.Default, string tenant = "",
        int expectedLength = 0)
    {
        Id = id;
        _tokens = new int[Math.Max(Math.Max(expectedLength, prompt.Length), 1)];
        prompt.CopyTo(_tokens);
        _count = prompt.Length;
        PromptLength = prompt.Length;
        Caching = caching;
        Arrival = arrival;
        Tier = tier;
        Tenant = tenant;
    }

    public SequenceId Id { get; }

    public int PromptLength { get; }

    /// <summary>Where its keys chain from and how long its blocks should be kept.</summary>
    public SequenceCaching Caching { get; }

    /// <summary>When the request arrived, as a timestamp of the engine's clock; earlier arrivals are served first.</summary>
    public long Arrival { get; }

    /// <summary>The request's class of service; the first-come-first-served order does not use it.</summary>
    public ServiceTier Tier { get; }

    /// <summary>Who asked (a digest of the API key), for fairness between tenants.</summary>
    public string Tenant { get; }

    public BlockTable Table { get; private set; } = new();

    /// <summary>Content keys of the sequence's full blocks so far (they depend only on the tokens, so they survive preemption).</summary>
    public List<BlockKey> BlockKeys { get; } = [];

    /// <summary>Cached blocks being loaded from lower tiers before the sequence can be admitted.</summary>
    public PrefixFetch? Fetch { get; set; }

    /// <summary>Prompt tokens that came from the cache when the request was first admitted; null until then.</summary>
    public int? CachedPromptTokens { get; set; }

    /// <summary>Tokens whose keys and values are in the cache (positions 0..ComputedCount-1).</summary>
    public int ComputedCount { get; set; }

    /// <summary>
    /// Tokens proposed to follow the known ones (speculative decoding): the next step may run them with the last known
    /// token and keep the ones the model agrees with. Cleared once a step has verified them.
    /// </summary>
    public IReadOnlyList<int> Drafts { get; set; } = [];

    /// <summary>The other choices of an <c>n &gt; 1</c> request: they draw their first token from this sequence's last prompt logits and then share its prompt blocks.</summary>
    public List<Sequence> Forks { get; } = [];

    public int Length => _count;

    public int GeneratedCount => _count - PromptLength;

    /// <summary>Known tokens still to be run through the model: the rest of the prompt, or the last sampled token.</summary>
    public int PendingCount => _count - ComputedCount;

    public ReadOnlySpan<int> Tokens => _tokens.AsSpan(0, _count);

    /// <summary>The tokens so far, as memory that never changes (later tokens do not show in it): cached blocks keep slices of it.</summary>
    public ReadOnlyMemory<int> TokenMemory => _tokens.AsMemory(0, _count);

    public ReadOnlySpan<int> Prompt => Tokens[..PromptLength];

    public ReadOnlySpan<int> Generated => Tokens[PromptLength..];

    public void Append(int token)
    {
        if (_count == _tokens.Length)
        {
            var grown = new int[_tokens.Length * 2];
            _tokens.AsSpan().CopyTo(grown);
            _tokens = grown;
        }
        _tokens[_count++] = token;
    }

    /// <summary>Shares the parent's blocks (for the other choices of an <c>n &gt; 1</c> request).</summary>
    public void AdoptTable(BlockTable table, int computed)
    {
        Table = table;
        ComputedCount = computed;
    }

    public override string ToString() => $"{Id} ({Length} tokens, {ComputedCount} computed)";
}
