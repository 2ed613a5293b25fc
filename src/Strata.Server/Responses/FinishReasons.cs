using Strata.Engine.Requests;

namespace Strata.Server.Responses;

/// <summary>The API's spelling of why a choice ended.</summary>
internal static class FinishReasons
{
    /// <summary>Only choices that ran to their end are reported; cancelled and failed ones end the response instead.</summary>
    /// <param name="calledTools">The choice's reply was tool calls: a reply that ended by itself then ends for them.</param>
    public static string ToApi(FinishReason reason, bool calledTools = false) => reason switch
    {
        FinishReason.Stop => calledTools ? "tool_calls" : "stop",
        FinishReason.Length => "length",
        FinishReason.ContentFilter => "content_filter",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "a cancelled or failed choice has no finish_reason"),
    };
}
