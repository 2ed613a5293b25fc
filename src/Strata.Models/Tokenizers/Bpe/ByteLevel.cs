namespace Strata.Models.Tokenizers.Bpe;

/// <summary>
/// GPT-2's reversible byte-to-character mapping: printable Latin-1 bytes stand for themselves, the other 68 bytes
/// are moved to U+0100..U+0143, so that every byte sequence becomes printable text the vocabulary can spell.
/// </summary>
internal static class ByteLevel
{
    private static readonly char[] CharOfByte = BuildCharOfByte();
    private static readonly short[] ByteOfChar = BuildByteOfChar();

    public static char ToChar(byte value) => CharOfByte[value];

    public static bool TryGetByte(int codepoint, out byte value)
    {
        var b = (uint)codepoint < (uint)ByteOfChar.Length ? ByteOfChar[codepoint] : (short)-1;
        value = (byte)b;
        return b >= 0;
    }

    private static bool StandsForItself(int b) => b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;

    private static char[] BuildCharOfByte()
    {
        var map = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
            map[b] = StandsForItself(b) ? (char)b : (char)next++;
        return map;
    }

    private static short[] BuildByteOfChar()
    {
        var map = new short[256 + 68];
        Array.Fill(map, (short)-1);
        for (var b = 0; b < 256; b++)
            map[CharOfByte[b]] = (short)b;
        return map;
    }
}
