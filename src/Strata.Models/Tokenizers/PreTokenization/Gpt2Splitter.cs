using Strata.Models.Tokenizers.Unicode;

namespace Strata.Models.Tokenizers.PreTokenization;

/// <summary>
/// GPT-2's pattern <c>'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+</c>, written out
/// by hand over code points (as llama.cpp does for this exact pattern), so it needs no regex engine.
/// </summary>
internal sealed class Gpt2Splitter : IPreTokenizerStep
{
    private const CodepointFlags WordLike = CodepointFlags.Whitespace | CodepointFlags.Letter | CodepointFlags.Number;

    public void Split(ReadOnlySpan<int> codepoints, ReadOnlySpan<CodepointFlags> flags, List<int> pieces, List<int> output)
    {
        var start = 0;
        foreach (var length in pieces)
        {
            SplitPiece(new PieceCursor(codepoints, flags, start, start + length), output);
            start += length;
        }
    }

    private static void SplitPiece(PieceCursor text, List<int> output)
    {
        var pos = text.Start;
        while (pos < text.End)
        {
            var cp = text.At(pos);
            var end = Contraction(text, pos);
            if (end < 0)
            {
                // An optional leading space joins a following run of letters, digits or other symbols.
                var first = cp == ' ' ? pos + 1 : pos;
                var firstFlags = text.FlagsAt(first);
                if ((firstFlags & CodepointFlags.Letter) != 0)
                    end = RunEnd(text, first, f => (f & CodepointFlags.Letter) != 0);
                else if ((firstFlags & CodepointFlags.Number) != 0)
                    end = RunEnd(text, first, f => (f & CodepointFlags.Number) != 0);
                else if ((firstFlags & WordLike) == 0 && firstFlags != CodepointFlags.None)
                    end = RunEnd(text, first, f => (f & WordLike) == 0 && f != CodepointFlags.None);
                else
                    end = WhitespaceEnd(text, pos);
            }
            output.Add(end - pos);
            pos = end;
        }
    }

    /// <summary>End of <c>'s|'t|'re|'ve|'m|'ll|'d</c> at <paramref name="pos"/> (case-sensitive), or -1.</summary>
    private static int Contraction(PieceCursor text, int pos)
    {
        if (text.At(pos) != '\'' || pos + 1 >= text.End)
            return -1;
        var next = text.At(pos + 1);
        if (next is 's' or 't' or 'm' or 'd')
            return pos + 2;
        if (pos + 2 >= text.End)
            return -1;
        var afterNext = text.At(pos + 2);
        return (next, afterNext) is ('r', 'e') or ('v', 'e') or ('l', 'l') ? pos + 3 : -1;
    }

    private static int RunEnd(PieceCursor text, int pos, Func<CodepointFlags, bool> inRun)
    {
        while (inRun(text.FlagsAt(pos)))
            pos++;
        return pos;
    }

    /// <summary><c>\s+(?!\S)|\s+</c>: a run of spaces leaves its last one to the word that follows it.</summary>
    private static int WhitespaceEnd(PieceCursor text, int pos)
    {
        var count = 0;
        while (text.Is(pos + count, CodepointFlags.Whitespace))
            count++;
        if (count > 1 && text.At(pos + count) != PieceCursor.OutOfRange)
            return pos + count - 1;
        return count > 0 ? pos + count : pos + 1;
    }
}
