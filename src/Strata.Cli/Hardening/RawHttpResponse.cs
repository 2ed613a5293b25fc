using System.Globalization;
using System.Text;

namespace Strata.Cli.Hardening;

/// <summary>A response read off a bare socket: its status, content type and body (de-chunked).</summary>
internal sealed record RawHttpResponse(int Status, string? MediaType, string Body)
{
    /// <summary>
    /// The first response in <paramref name="bytes"/>, or null while it is incomplete. When the connection has
    /// <paramref name="complete"/>d, a response without a length ends there and an incomplete one is null for good.
    /// </summary>
    public static RawHttpResponse? TryParse(ReadOnlySpan<byte> bytes, bool complete)
    {
        var headEnd = bytes.IndexOf("\r\n\r\n"u8);
        if (headEnd < 0)
            return null;
        var lines = Encoding.ASCII.GetString(bytes[..headEnd]).Split("\r\n");
        var statusParts = lines[0].Split(' ');
        if (statusParts.Length < 2 || !int.TryParse(statusParts[1], CultureInfo.InvariantCulture, out var status))
            return null;
        // An interim answer (100 Continue) has no body; the real one follows it.
        if (status < 200)
            return TryParse(bytes[(headEnd + 4)..], complete);
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
            .GroupBy(p => p[0].Trim().ToLowerInvariant()).ToDictionary(g => g.Key, g => g.First()[1].Trim());
        var mediaType = headers.GetValueOrDefault("content-type")?.Split(';')[0].Trim();
        var rest = bytes[(headEnd + 4)..];
        if (headers.TryGetValue("content-length", out var lengthText) && int.TryParse(lengthText, CultureInfo.InvariantCulture, out var length))
            return rest.Length < length ? null : new RawHttpResponse(status, mediaType, Encoding.UTF8.GetString(rest[..length]));
        if (headers.GetValueOrDefault("transfer-encoding")?.Equals("chunked", StringComparison.OrdinalIgnoreCase) == true)
            return Dechunk(rest) is { } body ? new RawHttpResponse(status, mediaType, body) : null;
        // Neither length nor chunks: the body runs to the end of the connection (none, for a HEAD answer).
        return complete ? new RawHttpResponse(status, mediaType, Encoding.UTF8.GetString(rest)) : null;
    }

    private static string? Dechunk(ReadOnlySpan<byte> rest)
    {
        var body = new MemoryStream();
        while (true)
        {
            var sizeEnd = rest.IndexOf("\r\n"u8);
            if (sizeEnd < 0 || !int.TryParse(Encoding.ASCII.GetString(rest[..sizeEnd]).Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var size))
                return null;
            if (size == 0)
                return Encoding.UTF8.GetString(body.ToArray());
            if (rest.Length < sizeEnd + 2 + size + 2)
                return null;
            body.Write(rest.Slice(sizeEnd + 2, size));
            rest = rest[(sizeEnd + 2 + size + 2)..];
        }
    }
}
