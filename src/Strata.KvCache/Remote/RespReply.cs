using System.Text;

namespace Strata.KvCache.Remote;

/// <summary>A whole RESP2 reply, for the small replies of control commands (block values are streamed instead).</summary>
internal sealed record RespReply(RespKind Kind, string? Text = null, long Integer = 0, byte[]? Bulk = null, RespReply[]? Items = null)
{
    public bool IsError => Kind == RespKind.Error;

    public bool IsNull => Kind is RespKind.BulkString or RespKind.Array && Bulk is null && Items is null;

    /// <summary>A simple or bulk string as text (host names in CLUSTER SLOTS arrive as either).</summary>
    public string? AsText() => Kind == RespKind.BulkString ? Bulk is null ? null : Encoding.UTF8.GetString(Bulk) : Text;
}
