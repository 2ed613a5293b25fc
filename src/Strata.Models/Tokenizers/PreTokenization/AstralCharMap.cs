namespace Strata.Models.Tokenizers.PreTokenization;

/// <summary>
/// Gives every code point above U+FFFF that a pattern mentions a single UTF-16 char, so .NET's regex engine (which
/// sees surrogate pairs as two chars) can match one code point with one class item. The astral plane is cut at
/// each mentioned code point into intervals; each interval maps to its own unpaired surrogate char, which cannot
/// otherwise occur in the mapped text, and everything outside them maps to <see cref="Elsewhere"/>. The mapping is
/// monotonic, so a range <c>a-b</c> in a class maps to the range <c>Map(a)-Map(b)</c>.
/// </summary>
internal sealed class AstralCharMap
{
    private const char Elsewhere = '\uDFFF';
    private const int FirstChar = 0xD800;

    private readonly int[] _boundaries;

    public AstralCharMap(IEnumerable<int> mentioned)
    {
        var boundaries = new SortedSet<int>();
        foreach (var cp in mentioned)
        {
            boundaries.Add(cp);
            boundaries.Add(cp + 1);
        }
        if (boundaries.Count > Elsewhere - FirstChar)
            throw new NotSupportedException($"pattern mentions too many astral code points ({boundaries.Count / 2})");
        _boundaries = [.. boundaries];
    }

    public char Map(int codepoint)
    {
        var index = Array.BinarySearch(_boundaries, codepoint);
        if (index < 0)
            index = ~index - 1; // the interval starting at the largest boundary below the code point
        return index < 0 || index >= _boundaries.Length - 1 ? Elsewhere : (char)(FirstChar + index);
    }
}
