using System.Buffers;
using System.Text.RegularExpressions;
using Strata.Models.Tokenizers.Unicode;

namespace Strata.Models.Tokenizers.PreTokenization;

/// <summary>
/// A pattern applied with .NET's regex engine to the collapsed one-char-per-code-point text (see
/// <see cref="PatternTranslator"/>). Matches and the gaps between them both become pieces, as in llama.cpp.
/// </summary>
internal sealed class RegexSplitter : IPreTokenizerStep
{
    private readonly Regex _regex;
    private readonly CodepointCollapse _collapse;

    public RegexSplitter(string pattern)
    {
        var (translated, collapse) = PatternTranslator.Translate(pattern);
        _regex = new Regex(translated, RegexOptions.CultureInvariant | RegexOptions.Compiled);
        _collapse = collapse;
    }

    public void Split(ReadOnlySpan<int> codepoints, ReadOnlySpan<CodepointFlags> flags, List<int> pieces, List<int> output)
    {
        var buffer = ArrayPool<char>.Shared.Rent(codepoints.Length);
        try
        {
            var text = buffer.AsSpan(0, codepoints.Length);
            for (var i = 0; i < text.Length; i++)
                text[i] = _collapse.Map(codepoints[i], flags[i]);

            var start = 0;
            foreach (var length in pieces)
            {
                // Each piece is matched on its own, so anchors and look-ahead stop at the piece's end.
                var covered = 0;
                foreach (var match in _regex.EnumerateMatches(text.Slice(start, length)))
                {
                    if (match.Index > covered)
                        output.Add(match.Index - covered);
                    output.Add(match.Length);
                    covered = match.Index + match.Length;
                }
                if (covered < length)
                    output.Add(length - covered);
                start += length;
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }
}
