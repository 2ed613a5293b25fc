using Strata.Engine.Requests;

namespace Strata.Server.Responses;

/// <summary>The API's spelling of why a choice ended.</summary>
internal static class FinishReasons
{
    public static string ToApi(FinishReason reason) => reason switch
    {
        FinishReason.Stop => "stop",
        FinishReason.Length => "length",
        FinishReason.Cancelled => "abort",
        _ => "error",
    };
}
