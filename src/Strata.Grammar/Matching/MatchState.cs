using Strata.Grammar.Syntax;

namespace Strata.Grammar.Matching;

/// <summary>
/// Where a parse can be after some bytes: a set of parse stacks whose tops are byte sets, and whether the input so
/// far is already a complete sentence. Interned per automaton; caches its byte transitions and its token masks.
/// </summary>
internal sealed class MatchState(int id, ParseStack[] stacks, bool accepts, ByteSet firstBytes, int minBytes)
{
    private MatchState?[]? _next;

    public int Id { get; } = id;

    public ParseStack[] Stacks { get; } = stacks;

    /// <summary>The bytes read so far form a complete sentence.</summary>
    public bool Accepts { get; } = accepts;

    /// <summary>Bytes that some stack can take next.</summary>
    public ByteSet FirstBytes { get; } = firstBytes;

    /// <summary>The fewest further bytes that complete a sentence (0 when it <see cref="Accepts"/>).</summary>
    public int MinBytes { get; } = minBytes;

    /// <summary>No byte can follow and the sentence is complete.</summary>
    public bool IsComplete => Accepts && Stacks.Length == 0;

    public bool IsDead => !Accepts && Stacks.Length == 0;

    /// <summary>Allowed tokens as a bit per token id, computed on first use.</summary>
    public ulong[]? Mask { get; set; }

    /// <summary>The largest <see cref="MinBytes"/> any allowed token leads to (with <see cref="Mask"/>).</summary>
    public int MaxMinBytesAfterToken { get; set; }

    public MatchState? CachedNext(byte b) => _next?[b];

    public void CacheNext(byte b, MatchState next) => (_next ??= new MatchState?[256])[b] = next;
}
