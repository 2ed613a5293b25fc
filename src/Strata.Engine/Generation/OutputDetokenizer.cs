using Strata.Engine.Guard;
using Strata.Models.Tokenizers;

namespace Strata.Engine.Generation;

/// <summary>
/// Turns one sequence's generated tokens into text as they arrive: bytes are held until they form whole UTF-8
/// characters, text is held while it could still be the start of a stop string, and then the content guard (if any)
/// holds what it has not cleared yet.
/// </summary>
internal sealed class OutputDetokenizer(Tokenizer tokenizer, IReadOnlyList<string> stops, GuardSession? guard = null)
{
    private readonly Utf8StreamDecoder _utf8 = new();
    private readonly StopStringMatcher _stops = new(stops);

    /// <summary>True once a stop string has appeared; the text before it has been returned.</summary>
    public bool Stopped => _stops.Stopped;

    /// <summary>The content guard found a violation: nothing more is released and the sequence must stop.</summary>
    public bool Violated => guard?.Violated ?? false;

    /// <summary>Adds a token and returns the text that became final.</summary>
    public string Push(int token)
    {
        var text = _stops.Push(_utf8.Push(tokenizer.PieceBytes(token)));
        return guard is null ? text : guard.Push(text);
    }

    /// <summary>Releases everything still held at the end of generation.</summary>
    public string Flush()
    {
        var tail = _stops.Push(_utf8.Flush()) + _stops.Flush();
        return guard is null ? tail : guard.Push(tail, isToken: false) + guard.Flush();
    }
}
