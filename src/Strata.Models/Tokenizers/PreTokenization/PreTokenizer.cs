using System.Buffers;
using Strata.Models.Tokenizers.Unicode;

namespace Strata.Models.Tokenizers.PreTokenization;

/// <summary>Splits text into the words BPE merges within, by running a model's patterns in sequence.</summary>
internal sealed class PreTokenizer(IReadOnlyList<IPreTokenizerStep> steps)
{
    /// <summary>Appends the lengths, in code points, of the words of <paramref name="codepoints"/>.</summary>
    public void Split(ReadOnlySpan<int> codepoints, List<int> words)
    {
        if (codepoints.IsEmpty)
            return;
        var flags = ArrayPool<CodepointFlags>.Shared.Rent(codepoints.Length);
        try
        {
            for (var i = 0; i < codepoints.Length; i++)
                flags[i] = Codepoints.Flags(codepoints[i]);
            List<int> pieces = [codepoints.Length];
            var next = new List<int>();
            foreach (var step in steps)
            {
                next.Clear();
                step.Split(codepoints, flags.AsSpan(0, codepoints.Length), pieces, next);
                (pieces, next) = (next, pieces);
            }
            words.AddRange(pieces);
        }
        finally
        {
            ArrayPool<CodepointFlags>.Shared.Return(flags);
        }
    }
}
