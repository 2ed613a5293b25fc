using System.Globalization;
using System.Text;
using Strata.Models.Tokenizers.Bpe;

namespace Strata.Models.Tokenizers;

/// <summary>
/// The bytes each token stands for, computed once at load (like llama.cpp's piece cache) and stored back to back:
/// ▁ becomes a space, <c>&lt;0xXX&gt;</c> becomes its byte, byte-level BPE text is mapped back to raw bytes, and
/// control, unknown and user-defined tokens keep their text.
/// </summary>
internal sealed class PieceTable
{
    private readonly byte[] _bytes;
    private readonly int[] _offsets;

    private PieceTable(byte[] bytes, int[] offsets)
    {
        _bytes = bytes;
        _offsets = offsets;
    }

    public ReadOnlySpan<byte> this[int id] => _bytes.AsSpan(_offsets[id], _offsets[id + 1] - _offsets[id]);

    public static PieceTable Build(Vocabulary vocabulary, TokenizerKind kind)
    {
        var bytes = new List<byte>(vocabulary.Count * 4);
        var offsets = new int[vocabulary.Count + 1];
        for (var id = 0; id < vocabulary.Count; id++)
        {
            bytes.AddRange(Piece(vocabulary.Texts[id], vocabulary.Attributes[id], kind));
            offsets[id + 1] = bytes.Count;
        }
        return new PieceTable([.. bytes], offsets);
    }

    private static byte[] Piece(string text, TokenAttributes attributes, TokenizerKind kind)
    {
        if ((attributes & (TokenAttributes.Unknown | TokenAttributes.Control | TokenAttributes.UserDefined)) != 0)
            return Encoding.UTF8.GetBytes(text);
        if ((attributes & TokenAttributes.Normal) != 0)
            return kind == TokenizerKind.BytePairEncoding ? ByteLevelToBytes(text) : Encoding.UTF8.GetBytes(text.Replace('\u2581', ' '));
        if ((attributes & TokenAttributes.Byte) != 0)
            return [ParseByteToken(text)];
        return [];
    }

    /// <summary>The raw bytes behind byte-level BPE text; a character outside the mapping is spelled out as llama.cpp does.</summary>
    private static byte[] ByteLevelToBytes(string text)
    {
        var bytes = new List<byte>(text.Length);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in text.EnumerateRunes())
        {
            if (ByteLevel.TryGetByte(rune.Value, out var b))
            {
                bytes.Add(b);
                continue;
            }
            var hex = Convert.ToHexStringLower(utf8[..rune.EncodeToUtf8(utf8)]);
            bytes.AddRange(Encoding.UTF8.GetBytes($"[UNK_BYTE_0x{hex}{text}]"));
        }
        return [.. bytes];
    }

    /// <summary>The byte of a <c>&lt;0xXX&gt;</c> token (0 when the text is malformed, as with strtol).</summary>
    private static byte ParseByteToken(string text) =>
        text.Length >= 5 && byte.TryParse(text.AsSpan(3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b) ? b : (byte)0;
}
