using Strata.Models.Tokenizers.Unicode;

namespace Strata.Models.Tokenizers.PreTokenization;

/// <summary>
/// The Llama 3 / Qwen2 family of patterns, written out by hand over code points (as llama.cpp does for these exact
/// patterns): <c>(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+</c>.
/// Llama 3 groups digits by up to three, Qwen2 takes them one at a time; Qwen3.5 lets letter runs include combining
/// marks (<c>[\p{L}\p{M}]+</c>).
/// </summary>
internal sealed class LlamaStyleSplitter(int maxDigits, bool lettersIncludeMarks) : IPreTokenizerStep
{
    private readonly CodepointFlags _letter = lettersIncludeMarks ? CodepointFlags.Letter | CodepointFlags.Mark : CodepointFlags.Letter;

    public static LlamaStyleSplitter Llama3 => new(maxDigits: 3, lettersIncludeMarks: false);

    public static LlamaStyleSplitter Qwen2 => new(maxDigits: 1, lettersIncludeMarks: false);

    public static LlamaStyleSplitter Qwen35 => new(maxDigits: 1, lettersIncludeMarks: true);

    public void Split(ReadOnlySpan<int> codepoints, ReadOnlySpan<CodepointFlags> flags, List<int> pieces, List<int> output)
    {
        var start = 0;
        foreach (var length in pieces)
        {
            SplitPiece(new PieceCursor(codepoints, flags, start, start + length), output);
            start += length;
        }
    }

    private void SplitPiece(PieceCursor text, List<int> output)
    {
        var pos = text.Start;
        while (pos < text.End)
        {
            var cp = text.At(pos);
            var flags = text.FlagsAt(pos);

            var end = Contraction(text, pos);
            if (end < 0 && cp is not ('\r' or '\n') && (flags & CodepointFlags.Number) == 0
                && ((flags & _letter) != 0 || text.Is(pos + 1, _letter)))
            {
                // [^\r\n\p{L}\p{N}]?\p{L}+ : one leading non-letter (a space, say) joins the letters after it.
                end = pos + 1;
                while (text.Is(end, _letter))
                    end++;
            }
            else if (end < 0 && (flags & CodepointFlags.Number) != 0)
            {
                for (var digits = 0; digits < maxDigits && text.Is(pos + digits, CodepointFlags.Number); )
                    end = pos + ++digits;
            }
            else if (end < 0)
            {
                end = SymbolsEnd(text, pos, cp);
                if (end < 0)
                    end = WhitespaceEnd(text, pos);
            }
            output.Add(end - pos);
            pos = end;
        }
    }

    /// <summary>End of <c>(?i:'s|'t|'re|'ve|'m|'ll|'d)</c> at <paramref name="pos"/>, or -1.</summary>
    private static int Contraction(PieceCursor text, int pos)
    {
        if (text.At(pos) != '\'' || pos + 1 >= text.End)
            return -1;
        var next = Codepoints.ToLower(text.At(pos + 1));
        if (next is 's' or 't' or 'm' or 'd')
            return pos + 2;
        if (pos + 2 >= text.End)
            return -1;
        var afterNext = Codepoints.ToLower(text.At(pos + 2));
        return (next, afterNext) is ('r', 'e') or ('v', 'e') or ('l', 'l') ? pos + 3 : -1;
    }

    /// <summary><c> ?[^\s\p{L}\p{N}]+[\r\n]*</c> (marks excluded too when letters include them), or -1.</summary>
    private int SymbolsEnd(PieceCursor text, int pos, int cp)
    {
        var wordLike = CodepointFlags.Whitespace | CodepointFlags.Number | _letter;
        var first = cp == ' ' ? pos + 1 : pos;
        // llama.cpp tests the flags after the optional space but only checks that the current position is in the
        // text, so a lone trailing space takes this branch too; the result is the same one-space piece.
        if ((text.FlagsAt(first) & wordLike) != 0)
            return -1;
        var end = first;
        while ((text.FlagsAt(end) & wordLike) == 0 && text.FlagsAt(end) != CodepointFlags.None)
            end++;
        while (text.At(end) is '\r' or '\n')
            end++;
        return end;
    }

    /// <summary><c>\s*[\r\n]+|\s+(?!\S)|\s+</c>, or a single code point when nothing matches.</summary>
    private static int WhitespaceEnd(PieceCursor text, int pos)
    {
        var count = 0;
        var afterLastNewline = -1;
        while (text.Is(pos + count, CodepointFlags.Whitespace))
        {
            if (text.At(pos + count) is '\r' or '\n')
                afterLastNewline = pos + count + 1;
            count++;
        }
        if (afterLastNewline > 0)
            return afterLastNewline;
        if (count > 1 && text.At(pos + count) != PieceCursor.OutOfRange)
            return pos + count - 1;
        return count > 0 ? pos + count : pos + 1;
    }
}
