using Strata.Engine.Caching;
using Strata.Engine.Generation;
using Strata.Engine.Requests;
using Strata.Engine.Sampling;
using Strata.KvCache;
using Strata.KvCache.Prefix;

namespace Strata.Engine.Scheduling;

/// <summary>
/// One choice of a request as it moves through the engine: its tokens (prompt then generated), how many of them
/// already have K/V in the cache, the blocks holding that cache, and its sampler and detokenizer.
/// </summary>
internal sealed class Sequence
{
    private readonly List<int> _tokens;

    public Sequence(SequenceId id, RequestState request, int choice, IEnumerable<int> tokens, Sampler sampler, OutputDetokenizer output)
    {
        Id = id;
        Request = request;
        Choice = choice;
        _tokens = [.. tokens];
        PromptLength = request.Request.PromptTokens.Length;
        Sampler = sampler;
        Output = output;
    }

    public SequenceId Id { get; }

    public RequestState Request { get; }

    public int Choice { get; }

    public int PromptLength { get; }

    public BlockTable Table { get; private set; } = new();

    public Sampler Sampler { get; }

    /// <summary>Content keys of the sequence's full blocks so far (they depend only on the tokens, so they survive preemption).</summary>
    public List<BlockKey> BlockKeys { get; } = [];

    /// <summary>Cached blocks being loaded from lower tiers before the sequence can be admitted.</summary>
    public PrefixFetch? Fetch { get; set; }

    public OutputDetokenizer Output { get; }

    /// <summary>Tokens whose keys and values are in the cache (positions 0..ComputedCount-1).</summary>
    public int ComputedCount { get; set; }

    public int Length => _tokens.Count;

    public int GeneratedCount => _tokens.Count - PromptLength;

    /// <summary>Known tokens still to be run through the model: the rest of the prompt, or the last sampled token.</summary>
    public int PendingCount => _tokens.Count - ComputedCount;

    public bool IsFinished { get; private set; }

    public ReadOnlySpan<int> Tokens => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_tokens);

    public ReadOnlySpan<int> Prompt => Tokens[..PromptLength];

    public ReadOnlySpan<int> Generated => Tokens[PromptLength..];

    public void Append(int token) => _tokens.Add(token);

    /// <summary>Shares the parent's blocks (for the other choices of an <c>n &gt; 1</c> request).</summary>
    public void AdoptTable(BlockTable table, int computed)
    {
        Table = table;
        ComputedCount = computed;
    }

    public void MarkFinished() => IsFinished = true;

    public override string ToString() => $"{Id} ({Length} tokens, {ComputedCount} computed)";
}
