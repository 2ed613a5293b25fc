using Strata.Models.Tokenizers.Unicode;

namespace Strata.Models.Tokenizers.PreTokenization;

/// <summary>
/// Reads code points of one piece for the hand-written splitters: positions outside the piece read as
/// <see cref="OutOfRange"/> with no flags, so look-ahead never needs a bounds check.
/// </summary>
internal readonly ref struct PieceCursor(ReadOnlySpan<int> codepoints, ReadOnlySpan<CodepointFlags> flags, int start, int end)
{
    public const int OutOfRange = -1;

    private readonly ReadOnlySpan<int> _codepoints = codepoints;
    private readonly ReadOnlySpan<CodepointFlags> _flags = flags;

    public int Start { get; } = start;

    public int End { get; } = end;

    public int At(int position) => position >= Start && position < End ? _codepoints[position] : OutOfRange;

    public CodepointFlags FlagsAt(int position) => position >= Start && position < End ? _flags[position] : CodepointFlags.None;

    public bool Is(int position, CodepointFlags flag) => (FlagsAt(position) & flag) != 0;
}
