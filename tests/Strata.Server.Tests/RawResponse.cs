using System.Globalization;
using System.Text;

namespace Strata.Server.Tests;

/// <summary>A response read off a bare socket: status, headers (names lower-cased) and the body, de-chunked.</summary>
internal sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, string Body)
{
    /// <summary>The first whole response in <paramref name="text"/>, or null while it is still incomplete.</summary>
    public static RawResponse? TryParse(string text)
    {
        var headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (headEnd < 0)
            return null;
        var lines = text[..headEnd].Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim());
        var rest = text[(headEnd + 4)..];
        if (headers.TryGetValue("content-length", out var length))
        {
            var bytes = int.Parse(length, CultureInfo.InvariantCulture);
            return Encoding.UTF8.GetByteCount(rest) < bytes ? null : new RawResponse(status, headers, rest);
        }
        if (headers.GetValueOrDefault("transfer-encoding") != "chunked")
            return new RawResponse(status, headers, "");
        var body = new StringBuilder();
        while (true)
        {
            var sizeEnd = rest.IndexOf("\r\n", StringComparison.Ordinal);
            if (sizeEnd < 0)
                return null;
            var size = int.Parse(rest[..sizeEnd], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
                return new RawResponse(status, headers, body.ToString());
            if (rest.Length < sizeEnd + 2 + size + 2)
                return null;
            body.Append(rest.AsSpan(sizeEnd + 2, size));
            rest = rest[(sizeEnd + 2 + size + 2)..];
        }
    }
}
