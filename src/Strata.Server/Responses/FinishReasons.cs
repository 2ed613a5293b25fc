using Strata.Engine.Requests;

namespace Strata.Server.Responses;

/// <summary>The API's spelling of why a choice ended.</summary>
internal static class FinishReasons
{
    /// <summary>Only choices that ran to their end are reported; cancelled and failed ones end the response instead.</summary>
    public static string ToApi(FinishReason reason) => reason switch
    {
        FinishReason.Stop => "stop",
        FinishReason.Length => "length",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "a cancelled or failed choice has no finish_reason"),
    };
}
