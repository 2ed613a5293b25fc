using System.Text;

namespace Strata.Models.Tokenizers;

/// <summary>
/// Turns a stream of UTF-8 bytes (for example token pieces as they are generated) into text without ever emitting
/// half a character: an incomplete sequence at the end of a push is held back until the next push completes it.
/// Bytes that can never form a character become U+FFFD as soon as that is certain. Not thread-safe.
/// </summary>
public sealed class Utf8StreamDecoder
{
    private readonly Decoder _decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetDecoder();
    private char[] _chars = new char[64];

    /// <summary>Decodes <paramref name="bytes"/> and returns every character that is now complete.</summary>
    public string Push(ReadOnlySpan<byte> bytes) => Decode(bytes, flush: false);

    /// <summary>Ends the stream: a held-back incomplete sequence becomes U+FFFD. The decoder is then ready for a new stream.</summary>
    public string Flush() => Decode([], flush: true);

    /// <summary>Forgets any held-back bytes.</summary>
    public void Reset() => _decoder.Reset();

    private string Decode(ReadOnlySpan<byte> bytes, bool flush)
    {
        var needed = _decoder.GetCharCount(bytes, flush);
        if (needed == 0)
        {
            // GetCharCount does not consume state, so the bytes still have to be fed in to be held back.
            _decoder.GetChars(bytes, [], flush);
            return string.Empty;
        }
        if (_chars.Length < needed)
            _chars = new char[Math.Max(needed, _chars.Length * 2)];
        var written = _decoder.GetChars(bytes, _chars, flush);
        return new string(_chars, 0, written);
    }
}
