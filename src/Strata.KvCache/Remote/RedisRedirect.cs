using System.Globalization;

namespace Strata.KvCache.Remote;

/// <summary>
/// A cluster node's answer that a key lives elsewhere: MOVED (the slot has a new owner: update the slot map) or
/// ASK (the slot is migrating: ask the target once, after ASKING, and keep the map).
/// </summary>
internal readonly record struct RedisRedirect(bool IsAsk, int Slot, RemoteEndpoint Target)
{
    /// <summary>Parses "MOVED 3999 127.0.0.1:6381" or "ASK 3999 host:port"; an empty host means the replying node's host.</summary>
    public static bool TryParse(string? error, RemoteEndpoint replyingNode, out RedisRedirect redirect)
    {
        redirect = default;
        var parts = error?.Split(' ');
        if (parts is not { Length: 3 } || parts[0] is not ("MOVED" or "ASK")
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var slot) || slot >= HashSlot.Count)
            return false;
        var address = parts[2];
        var colon = address.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(address[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port))
            return false;
        var host = address[..colon].Trim('[', ']');
        redirect = new RedisRedirect(parts[0] == "ASK", slot, new RemoteEndpoint(host is "" or "?" ? replyingNode.Host : host, port));
        return true;
    }
}
