using Strata.Models.Tokenizers;

namespace Strata.Engine.Generation;

/// <summary>
/// Turns one sequence's generated tokens into text as they arrive: bytes are held until they form whole UTF-8
/// characters, and text is held while it could still be the start of a stop string.
/// </summary>
internal sealed class OutputDetokenizer(Tokenizer tokenizer, IReadOnlyList<string> stops)
{
    private readonly Utf8StreamDecoder _utf8 = new();
    private readonly StopStringMatcher _stops = new(stops);

    /// <summary>True once a stop string has appeared; the text before it has been returned.</summary>
    public bool Stopped => _stops.Stopped;

    /// <summary>Adds a token and returns the text that became final.</summary>
    public string Push(int token) => _stops.Push(_utf8.Push(tokenizer.PieceBytes(token)));

    /// <summary>Releases everything still held at the end of generation.</summary>
    public string Flush()
    {
        var tail = _stops.Push(_utf8.Flush());
        return tail + _stops.Flush();
    }
}
