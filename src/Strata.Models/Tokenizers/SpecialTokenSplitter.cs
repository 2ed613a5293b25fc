using System.Text;

namespace Strata.Models.Tokenizers;

/// <summary>
/// Finds special-token texts in the input before any model-specific encoding, like llama.cpp's
/// <c>tokenizer_st_partition</c>: longest texts first, each one cut out of every remaining run of plain text.
/// User-defined tokens are always matched; control and unknown tokens only when special parsing is on.
/// </summary>
internal sealed class SpecialTokenSplitter
{
    private const TokenAttributes Special = TokenAttributes.Control | TokenAttributes.UserDefined | TokenAttributes.Unknown;
    private const TokenAttributes OnlyWhenParsing = TokenAttributes.Control | TokenAttributes.Unknown;

    private readonly Vocabulary _vocabulary;
    private readonly int[] _specialIds;

    public SpecialTokenSplitter(Vocabulary vocabulary)
    {
        _vocabulary = vocabulary;
        _specialIds = Enumerable.Range(0, vocabulary.Count)
            .Where(id => vocabulary.Is(id, Special))
            .OrderByDescending(id => Encoding.UTF8.GetByteCount(vocabulary.Texts[id]))
            .ThenBy(id => id)
            .ToArray();
    }

    /// <summary>The ids that are matched as whole texts, longest first.</summary>
    public IReadOnlyList<int> SpecialIds => _specialIds;

    public List<TextFragment> Split(string text, bool parseSpecial)
    {
        var fragments = new List<TextFragment>();
        if (text.Length == 0)
            return fragments;
        fragments.Add(TextFragment.Text(0, text.Length));
        var next = new List<TextFragment>();
        foreach (var id in _specialIds)
        {
            if (!parseSpecial && _vocabulary.Is(id, OnlyWhenParsing))
                continue;
            var special = _vocabulary.Texts[id];
            if (!text.Contains(special, StringComparison.Ordinal))
                continue;
            next.Clear();
            foreach (var fragment in fragments)
            {
                if (fragment.IsToken)
                    next.Add(fragment);
                else
                    Cut(text, fragment, id, special, next);
            }
            (fragments, next) = (next, fragments);
        }
        return fragments;
    }

    private void Cut(string text, TextFragment fragment, int id, string special, List<TextFragment> output)
    {
        var start = fragment.Start;
        var end = fragment.Start + fragment.Length;
        while (start < end)
        {
            var match = text.AsSpan(start, end - start).IndexOf(special, StringComparison.Ordinal);
            if (match < 0)
                break;
            match += start;
            var leftEnd = match;
            if (_vocabulary.Is(id, TokenAttributes.LeftStrip))
            {
                while (leftEnd > start && IsAsciiSpace(text[leftEnd - 1]))
                    leftEnd--;
            }
            if (leftEnd > start)
                output.Add(TextFragment.Text(start, leftEnd - start));
            output.Add(TextFragment.Token(id));
            start = match + special.Length;
            if (_vocabulary.Is(id, TokenAttributes.RightStrip))
            {
                while (start < end && IsAsciiSpace(text[start]))
                    start++;
            }
        }
        if (start < end)
            output.Add(TextFragment.Text(start, end - start));
    }

    /// <summary>C's isspace in the "C" locale, which is what llama.cpp strips with.</summary>
    private static bool IsAsciiSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';
}
