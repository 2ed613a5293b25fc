namespace Strata.Server.Tools;

/// <summary>
/// Splits one choice's streamed text into content and tool calls as it arrives. Content is passed on until a call
/// starts (text that could still be the start of one is held back, never sent and then taken back); from there the
/// output is read as calls, each announced with its id and name as soon as the name is complete and its arguments
/// streamed as they are generated. Output that turns out not to be calls is released as content at the end.
/// </summary>
internal sealed class ToolCallStream(ToolCallFormat format)
{
    private static readonly ToolCallDelta[] NoDeltas = [];

    private readonly List<(string Id, int Sent)> _calls = [];
    private string _held = "";
    private string? _region;

    public bool CalledTools => _calls.Count > 0;

    /// <summary>Adds generated text; returns the content and the tool call deltas it releases.</summary>
    public (string Content, IReadOnlyList<ToolCallDelta> Calls) Push(string text)
    {
        if (text.Length == 0)
            return ("", NoDeltas);
        if (_region is not null)
        {
            _region += text;
            return ("", Deltas(format.Parse(_region, final: false)));
        }
        var buffer = _held + text;
        var start = format.FindStart(buffer);
        if (start >= 0)
        {
            _held = "";
            _region = buffer[start..];
            return (buffer[..start], Deltas(format.Parse(_region, final: false)));
        }
        var hold = format.PossibleStartLength(buffer);
        _held = buffer[(buffer.Length - hold)..];
        return (buffer[..^hold], NoDeltas);
    }

    /// <summary>At the end of generation: what is still held, as content or as the rest of the calls.</summary>
    public (string Content, IReadOnlyList<ToolCallDelta> Calls) Finish(string text)
    {
        var (content, deltas) = Push(text);
        if (_region is null)
        {
            var rest = content + _held;
            _held = "";
            return (rest, deltas);
        }
        var calls = format.Parse(_region, final: true);
        if (calls is not null)
            return (content, [.. deltas, .. Deltas(calls)]);
        // Not calls after all: nothing of them was announced, so the text is plain content.
        return _calls.Count == 0 ? (content + _region, deltas) : (content, deltas);
    }

    private List<ToolCallDelta> Deltas(List<ParsedToolCall>? calls)
    {
        var deltas = new List<ToolCallDelta>();
        if (calls is null)
            return deltas;
        for (var i = 0; i < calls.Count; i++)
        {
            var call = calls[i];
            if (call.Name is null)
                break;
            string? id = null;
            if (i == _calls.Count)
            {
                id = "call_" + Guid.NewGuid().ToString("N")[..24];
                _calls.Add((id, 0));
            }
            var sent = _calls[i].Sent;
            var fragment = call.Arguments.Length > sent ? call.Arguments[sent..] : "";
            if (id is null && fragment.Length == 0)
                continue;
            _calls[i] = (_calls[i].Id, sent + fragment.Length);
            deltas.Add(new ToolCallDelta(i, id, id is null ? null : call.Name, fragment));
        }
        return deltas;
    }
}
