namespace Strata.KvCache.Remote;

/// <summary>The RESP2 reply types, by their leading byte.</summary>
internal enum RespKind
{
    SimpleString,
    Error,
    Integer,
    BulkString,
    Array,
}
