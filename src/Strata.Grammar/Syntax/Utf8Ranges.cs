namespace Strata.Grammar.Syntax;

/// <summary>
/// Splits a range of Unicode scalar values into sequences of byte ranges whose concatenations are exactly the
/// UTF-8 encodings of the range (surrogates excluded), so a character class can be matched byte by byte.
/// </summary>
internal static class Utf8Ranges
{
    private const int MaxScalar = 0x10FFFF;

    public static void Split(int low, int high, List<(byte Low, byte High)[]> output)
    {
        if (low > high)
            return;
        if (low < 0xD800 && high > 0xDFFF)
        {
            Split(low, 0xD7FF, output);
            Split(0xE000, high, output);
            return;
        }
        if (low >= 0xD800 && low <= 0xDFFF)
            low = 0xE000;
        if (high >= 0xD800 && high <= 0xDFFF)
            high = 0xD7FF;
        if (low > high || low > MaxScalar)
            return;
        high = Math.Min(high, MaxScalar);
        foreach (var limit in (ReadOnlySpan<int>)[0x7F, 0x7FF, 0xFFFF])
        {
            if (low <= limit && high > limit)
            {
                Split(low, limit, output);
                Split(limit + 1, high, output);
                return;
            }
        }
        var length = EncodedLength(low);
        for (var i = 1; i < length; i++)
        {
            var mask = (1 << (6 * i)) - 1;
            if ((low & ~mask) == (high & ~mask))
                continue;
            if ((low & mask) != 0)
            {
                Split(low, low | mask, output);
                Split((low | mask) + 1, high, output);
                return;
            }
            if ((high & mask) != mask)
            {
                Split(low, (high & ~mask) - 1, output);
                Split(high & ~mask, high, output);
                return;
            }
        }
        Span<byte> lowBytes = stackalloc byte[4];
        Span<byte> highBytes = stackalloc byte[4];
        Encode(low, lowBytes);
        Encode(high, highBytes);
        var ranges = new (byte, byte)[length];
        for (var i = 0; i < length; i++)
            ranges[i] = (lowBytes[i], highBytes[i]);
        output.Add(ranges);
    }

    private static int EncodedLength(int scalar) => scalar switch
    {
        <= 0x7F => 1,
        <= 0x7FF => 2,
        <= 0xFFFF => 3,
        _ => 4,
    };

    private static void Encode(int scalar, Span<byte> bytes)
    {
        switch (EncodedLength(scalar))
        {
            case 1:
                bytes[0] = (byte)scalar;
                break;
            case 2:
                bytes[0] = (byte)(0xC0 | (scalar >> 6));
                bytes[1] = (byte)(0x80 | (scalar & 0x3F));
                break;
            case 3:
                bytes[0] = (byte)(0xE0 | (scalar >> 12));
                bytes[1] = (byte)(0x80 | ((scalar >> 6) & 0x3F));
                bytes[2] = (byte)(0x80 | (scalar & 0x3F));
                break;
            default:
                bytes[0] = (byte)(0xF0 | (scalar >> 18));
                bytes[1] = (byte)(0x80 | ((scalar >> 12) & 0x3F));
                bytes[2] = (byte)(0x80 | ((scalar >> 6) & 0x3F));
                bytes[3] = (byte)(0x80 | (scalar & 0x3F));
                break;
        }
    }
}
