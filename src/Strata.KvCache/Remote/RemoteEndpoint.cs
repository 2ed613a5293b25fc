using System.Globalization;

namespace Strata.KvCache.Remote;

/// <summary>A store server's address: a host name or IP address and a TCP port.</summary>
public readonly record struct RemoteEndpoint(string Host, int Port)
{
    public const int DefaultPort = 6379;

    /// <summary>Parses <c>host:port</c>, <c>[ipv6]:port</c> or a bare host (port 6379).</summary>
    public static RemoteEndpoint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var value = text.Trim();
        string host;
        string? port;
        if (value.StartsWith('['))
        {
            var close = value.IndexOf(']');
            if (close < 0)
                throw new ArgumentException($"remote store address '{text}': missing ']' after the IPv6 address");
            host = value[1..close];
            var rest = value[(close + 1)..];
            if (rest.Length > 0 && rest[0] != ':')
                throw new ArgumentException($"remote store address '{text}': expected ':port' after ']'");
            port = rest.Length > 0 ? rest[1..] : null;
        }
        else
        {
            var colon = value.LastIndexOf(':');
            if (colon >= 0 && value.IndexOf(':') != colon)
                throw new ArgumentException($"remote store address '{text}': write an IPv6 address in brackets, as [::1]:6379");
            host = colon < 0 ? value : value[..colon];
            port = colon < 0 ? null : value[(colon + 1)..];
        }
        if (host.Length == 0)
            throw new ArgumentException($"remote store address '{text}': the host is empty");
        if (port is null)
            return new RemoteEndpoint(host, DefaultPort);
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535)
            throw new ArgumentException($"remote store address '{text}': the port must be a number from 1 to 65535");
        return new RemoteEndpoint(host, number);
    }

    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
