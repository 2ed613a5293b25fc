namespace Strata.Engine.Generation;

/// <summary>
/// Watches streamed text for stop strings. Text that might still turn out to be the start of a stop string is
/// held back until it is decided, so a stop string that spans several tokens is never partly emitted.
/// </summary>
public sealed class StopStringMatcher(IReadOnlyList<string> stops)
{
    private string _pending = "";

    public bool Stopped { get; private set; }

    /// <summary>Adds newly decoded text and returns the part that is now safe to emit.</summary>
    public string Push(string text)
    {
        if (Stopped)
            return "";
        var buffer = _pending + text;
        var earliest = -1;
        foreach (var stop in stops)
        {
            var at = buffer.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (earliest < 0 || at < earliest))
                earliest = at;
        }
        if (earliest >= 0)
        {
            Stopped = true;
            _pending = "";
            return buffer[..earliest];
        }
        var held = LongestStopPrefixSuffix(buffer);
        _pending = buffer[^held..];
        return buffer[..^held];
    }

    /// <summary>Releases held-back text at the end of generation.</summary>
    public string Flush()
    {
        var rest = Stopped ? "" : _pending;
        _pending = "";
        return rest;
    }

    private int LongestStopPrefixSuffix(string buffer)
    {
        var longest = 0;
        foreach (var stop in stops)
        {
            for (var length = Math.Min(stop.Length - 1, buffer.Length); length > longest; length--)
            {
                if (buffer.AsSpan(buffer.Length - length).SequenceEqual(stop.AsSpan(0, length)))
                {
                    longest = length;
                    break;
                }
            }
        }
        return longest;
    }
}
