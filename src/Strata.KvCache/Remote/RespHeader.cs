namespace Strata.KvCache.Remote;

/// <summary>
/// The first line of a RESP2 reply: its kind, and the number on the line (the integer, or the length of a bulk
/// string or an array, -1 for null) or the text of a simple string or an error.
/// </summary>
internal readonly record struct RespHeader(RespKind Kind, long Number, string? Text)
{
    public bool IsNull => Kind is RespKind.BulkString or RespKind.Array && Number < 0;
}
