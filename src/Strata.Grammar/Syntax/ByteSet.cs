using System.Numerics;

namespace Strata.Grammar.Syntax;

/// <summary>A set of byte values, one bit each.</summary>
internal readonly record struct ByteSet(ulong W0, ulong W1, ulong W2, ulong W3)
{
    public static ByteSet Of(byte value) => Range(value, value);

    public static ByteSet Range(byte low, byte high)
    {
        Span<ulong> words = stackalloc ulong[4];
        for (var b = (int)low; b <= high; b++)
            words[b >> 6] |= 1UL << (b & 63);
        return new ByteSet(words[0], words[1], words[2], words[3]);
    }

    public bool IsEmpty => (W0 | W1 | W2 | W3) == 0;

    public int Count => BitOperations.PopCount(W0) + BitOperations.PopCount(W1) + BitOperations.PopCount(W2) + BitOperations.PopCount(W3);

    public bool Contains(byte value) => (Word(value >> 6) & (1UL << (value & 63))) != 0;

    public ByteSet Union(ByteSet other) => new(W0 | other.W0, W1 | other.W1, W2 | other.W2, W3 | other.W3);

    private ulong Word(int index) => index switch { 0 => W0, 1 => W1, 2 => W2, _ => W3 };
}
