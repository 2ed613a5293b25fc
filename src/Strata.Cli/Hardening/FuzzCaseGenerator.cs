using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Strata.Cli.Hardening;

/// <summary>
/// Generates fuzz cases from a seed: most put a hostile value (<see cref="HostileValues"/>) into one documented field of
/// a valid request (<see cref="RequestSchema"/>); the rest add unknown or repeated fields, break the body as a whole,
/// break the HTTP framing, the head or the route, or behave as a bad client does (reset or close mid-body, trickle,
/// connect and never ask).
/// </summary>
internal sealed class FuzzCaseGenerator(Uri server, string model, string? apiKey, Random random)
{
    private const string Hole = "__strata_fuzz_hole__";
    private static readonly JsonDocumentOptions ServerParsing = new() { AllowDuplicateProperties = false };

    private readonly string _prefix = server.AbsolutePath.TrimEnd('/');
    private int _count;

    public FuzzCase Next()
    {
        var number = ++_count;
        var roll = random.Next(100);
        var (name, target, pieces, gap, ending) = roll switch
        {
            < 55 => FieldValue(),
            < 60 => UnknownField(),
            < 64 => RepeatedName(),
            < 72 => BrokenBody(),
            < 85 => BrokenHttp(),
            _ => BadClient(),
        };
        return new FuzzCase($"#{number} {name}", target, pieces, gap, ending);
    }

    private (string, string?, IReadOnlyList<byte[]>, TimeSpan, FuzzEnding) FieldValue()
    {
        var field = RequestSchema.Fields[random.Next(RequestSchema.Fields.Count)];
        var value = HostileValues.Next(random);
        var body = RequestSchema.Base(field.Path, model);
        field.Place(body, Hole);
        var bytes = Splice(body, value);
        // A value that breaks the JSON itself is the body's fault, not the field's.
        var target = IsServerJson(bytes) ? field.Target : null;
        return ($"{field.Path} {field.Target} = {Preview(value)}", target, [Post(field.Path, bytes)], TimeSpan.Zero, FuzzEnding.Answer);
    }

    private (string, string?, IReadOnlyList<byte[]>, TimeSpan, FuzzEnding) UnknownField()
    {
        var path = AnyPath();
        var body = RequestSchema.Base(path, model);
        var name = random.Next(5) switch { 0 => "", 1 => "__proto__", 2 => new string('k', random.Next(1, 20_000)), 3 => "ünïcödé 😀", _ => "response_format_x" };
        body[name] = Hole;
        return ($"{path} unknown field '{Preview(Encoding.UTF8.GetBytes(name))}'", null, [Post(path, Splice(body, HostileValues.Next(random)))], TimeSpan.Zero, FuzzEnding.Answer);
    }

    private (string, string?, IReadOnlyList<byte[]>, TimeSpan, FuzzEnding) RepeatedName()
    {
        var path = AnyPath();
        var json = RequestSchema.Base(path, model).ToJsonString();
        var repeated = random.Next(3) switch { 0 => "\"max_tokens\":3,", 1 => "\"temperature\":0.5,", _ => "\"model\":\"x\"," };
        return ($"{path} repeated name {repeated.TrimEnd(',')}", null, [Post(path, Encoding.UTF8.GetBytes("{" + repeated + json[1..]))], TimeSpan.Zero, FuzzEnding.Answer);
    }

    private (string, string?, IReadOnlyList<byte[]>, TimeSpan, FuzzEnding) BrokenBody()
    {
        var path = AnyPath();
        var valid = RequestSchema.Base(path, model).ToJsonString();
        var (name, body) = random.Next(14) switch
        {
            0 => ("empty body", ""),
            1 => ("truncated JSON", valid[..random.Next(1, valid.Length - 1)]),
            2 => ("trailing garbage", valid + "garbage"),
            3 => ("a second document", valid + valid),
            4 => ("trailing comma", valid[..^1] + ",}"),
            5 => ("single quotes", valid.Replace('"', '\'')),
            6 => ("comments", "/* hi */" + valid),
            7 => ("array root", "[" + valid + "]"),
            8 => ("string root", "\"" + valid.Replace("\"", "\\\"") + "\""),
            9 => ("null root", "null"),
            10 => ("number root", "1e999"),
            11 => ("empty object", "{}"),
            12 => ("whitespace padding", new string(' ', random.Next(1, 600_000)) + valid),
            _ => ("byte order mark", "\uFEFF" + valid),
        };
        return ($"{path} {name}", null, [Post(path, Encoding.UTF8.GetBytes(body))], TimeSpan.Zero, FuzzEnding.Answer);
    }

    private (string, string?, IReadOnlyList<byte[]>, TimeSpan, FuzzEnding) BrokenHttp()
    {
        var path = AnyPath();
        var body = Encoding.UTF8.GetBytes(RequestSchema.Base(path, model).ToJsonString());
        var json = "Content-Type: application/json";
        byte[] Raw(string text) => Encoding.UTF8.GetBytes(text);
        byte[] Chunked(string chunks) => [.. Head("POST", path, json, "Transfer-Encoding: chunked"), .. Raw(chunks)];
        var (name, request, ending) = random.Next(36) switch
        {
            0 => ("chunk size that overflows", Chunked("FFFFFFFFFFFFFFFFFFFFFFFF\r\nabc\r\n0\r\n\r\n"), FuzzEnding.Answer),
            1 => ("chunk size not hex", Chunked("zz\r\nabc\r\n0\r\n\r\n"), FuzzEnding.Answer),
            2 => ("chunk longer than announced", Chunked("3\r\nabcdef\r\n0\r\n\r\n"), FuzzEnding.Answer),
            3 => ("chunk shorter than announced, then FIN", Chunked("ff\r\n{}"), FuzzEnding.HalfClose),
            4 => ("chunk extension garbage", Chunked($"{body.Length:x};x=\"\r\n{Encoding.UTF8.GetString(body)}\r\n0\r\n\r\n"), FuzzEnding.Answer),
            5 => ("no chunks at all", Chunked("0\r\n\r\n"), FuzzEnding.Answer),
            6 => ("negative chunk size", Chunked("-5\r\nabc\r\n0\r\n\r\n"), FuzzEnding.Answer),
            7 => ("body longer than Content-Length", [.. Head("POST", path, json, $"Content-Length: {body.Length / 2}"), .. body], FuzzEnding.Answer),
            8 => ("body shorter than Content-Length, then FIN", [.. Head("POST", path, json, $"Content-Length: {body.Length * 2}"), .. body], FuzzEnding.HalfClose),
            9 => ("Content-Length not a number", [.. Head("POST", path, json, "Content-Length: abc"), .. body], FuzzEnding.Answer),
            10 => ("negative Content-Length", [.. Head("POST", path, json, "Content-Length: -1"), .. body], FuzzEnding.Answer),
            11 => ("Content-Length past 2^64", [.. Head("POST", path, json, "Content-Length: 99999999999999999999999"), .. body], FuzzEnding.Answer),
            12 => ("two Content-Lengths", [.. Head("POST", path, json, $"Content-Length: {body.Length}", "Content-Length: 1"), .. body], FuzzEnding.Answer),
            13 => ("Content-Length and chunked", [.. Head("POST", path, json, $"Content-Length: {body.Length + 20}", "Transfer-Encoding: chunked"), .. Raw($"{body.Length:x}\r\n"), .. body, .. Raw("\r\n0\r\n\r\n")], FuzzEnding.Answer),
            14 => ("unknown transfer coding", [.. Head("POST", path, json, "Transfer-Encoding: gzip"), .. body], FuzzEnding.Answer),
            15 => ("header without a colon", Raw($"POST {_prefix}{path} HTTP/1.1\r\nHost: {server.Authority}\r\nNoColonHere\r\n\r\n"), FuzzEnding.Answer),
            16 => ("space in a header name", Raw($"POST {_prefix}{path} HTTP/1.1\r\nHost: {server.Authority}\r\nBad Name: x\r\n\r\n"), FuzzEnding.Answer),
            17 => ("folded header line", Raw($"POST {_prefix}{path} HTTP/1.1\r\nHost: {server.Authority}\r\nX-A: a\r\n  folded\r\nContent-Length: 0\r\n\r\n"), FuzzEnding.Answer),
            18 => ("NUL in a header value", Raw($"POST {_prefix}{path} HTTP/1.1\r\nHost: {server.Authority}\r\nX-A: a\0b\r\nContent-Length: 0\r\n\r\n"), FuzzEnding.Answer),
            19 => ("one header of 40 kB", [.. Head("POST", path, json, "X-Big: " + new string('a', 40_000), $"Content-Length: {body.Length}"), .. body], FuzzEnding.Answer),
            20 => ("200 headers", [.. Head("POST", path, [json, .. Enumerable.Range(0, 200).Select(i => $"X-H{i}: {i}"), $"Content-Length: {body.Length}"]), .. body], FuzzEnding.Answer),
            21 => ("no Host", Raw($"GET {_prefix}/health HTTP/1.1\r\n\r\n"), FuzzEnding.Answer),
            22 => ("two Hosts", Raw($"GET {_prefix}/health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), FuzzEnding.Answer),
            23 => ("lower-case method", [.. Raw($"post {_prefix}{path} HTTP/1.1\r\nHost: {server.Authority}\r\n{json}\r\nContent-Length: {body.Length}\r\n\r\n"), .. body], FuzzEnding.Answer),
            24 => ("absolute-form target", [.. Raw($"POST http://{server.Authority}{_prefix}{path} HTTP/1.1\r\nHost: {server.Authority}\r\n{json}\r\nContent-Length: {body.Length}\r\n\r\n"), .. body], FuzzEnding.Answer),
            25 => ("OPTIONS *", Raw($"OPTIONS * HTTP/1.1\r\nHost: {server.Authority}\r\n\r\n"), FuzzEnding.Answer),
            26 => ("HTTP/1.0", [.. Raw($"POST {_prefix}{path} HTTP/1.0\r\n{json}\r\nContent-Length: {body.Length}\r\n\r\n"), .. body], FuzzEnding.Answer),
            27 => ("no HTTP version", Raw($"GET {_prefix}/health\r\n\r\n"), FuzzEnding.Answer),
            28 => ("URL of 20 kB", Head("GET", "/v1/models?q=" + new string('a', 20_000)), FuzzEnding.Answer),
            29 => ("bad percent escape", Head("GET", "/v1/models%ZZ"), FuzzEnding.Answer),
            30 => ("invalid UTF-8 in the path", [.. Raw($"GET {_prefix}/v1/"), 0xFF, 0xFE, .. Raw($" HTTP/1.1\r\nHost: {server.Authority}\r\n\r\n")], FuzzEnding.Answer),
            31 => ("Expect: 100-continue", [.. Head("POST", path, json, "Expect: 100-continue", $"Content-Length: {body.Length}"), .. body], FuzzEnding.Answer),
            32 => ("not JSON content type", [.. Head("POST", path, "Content-Type: text/plain", $"Content-Length: {body.Length}"), .. body], FuzzEnding.Answer),
            33 => ("UTF-16 body", [.. Head("POST", path, "Content-Type: application/json; charset=utf-16", $"Content-Length: {body.Length * 2}"), .. Encoding.Unicode.GetBytes(Encoding.UTF8.GetString(body))], FuzzEnding.Answer),
            34 => Route(body),
            _ => Method(body),
        };
        return (name, null, [request], TimeSpan.Zero, ending);
    }

    private (string, byte[], FuzzEnding) Route(byte[] body)
    {
        var path = random.Next(10) switch
        {
            0 => "/v1/completions.json", 1 => "/v1/models/model.gguf", 2 => "/v1/completions/", 3 => "//v1/completions",
            4 => "/v1/../v1/completions", 5 => "/V1/COMPLETIONS", 6 => "/v1/embeddings", 7 => "/v1/chat/completions/x",
            8 => "/" + new string('a', random.Next(1, 6_000)), _ => "/v1/%2e%2e/health",
        };
        return ($"route {Preview(Encoding.UTF8.GetBytes(path))}", [.. Head("POST", path, "Content-Type: application/json", $"Content-Length: {body.Length}"), .. body], FuzzEnding.Answer);
    }

    private (string, byte[], FuzzEnding) Method(byte[] body)
    {
        string[] methods = ["GET", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO"];
        string[] paths = [RequestSchema.Completions, RequestSchema.Chat, "/v1/models", "/health", "/metrics"];
        var method = methods[random.Next(methods.Length)];
        var path = paths[random.Next(paths.Length)];
        // A HEAD answer has no body to read to its end, so it is sent without keep-alive.
        var request = method == "HEAD"
            ? Head(method, path, "Connection: close")
            : [.. Head(method, path, "Content-Type: application/json", $"Content-Length: {body.Length}"), .. body];
        return ($"{method} {path}", request, FuzzEnding.Answer);
    }

    private (string, string?, IReadOnlyList<byte[]>, TimeSpan, FuzzEnding) BadClient()
    {
        var path = AnyPath();
        var body = Encoding.UTF8.GetBytes(RequestSchema.Base(path, model).ToJsonString());
        var head = Head("POST", path, "Content-Type: application/json", $"Content-Length: {body.Length}");
        var cut = random.Next(1, body.Length);
        var gap = TimeSpan.FromMilliseconds(random.Next(20, 150));
        return random.Next(7) switch
        {
            0 => ("reset mid-body", null, [[.. head, .. body.AsSpan(0, cut)]], gap, FuzzEnding.Reset),
            1 => ("FIN mid-body", null, [[.. head, .. body.AsSpan(0, cut)]], gap, FuzzEnding.HalfClose),
            2 => ("slow body", null, [head, .. body.Chunk(Math.Max(1, body.Length / random.Next(2, 6)))], gap, FuzzEnding.Answer),
            3 => ("slow head", null, [.. head.Chunk(Math.Max(1, head.Length / random.Next(2, 5))), body], gap, FuzzEnding.Answer),
            4 => ("connect and leave", null, [], gap, random.Next(2) == 0 ? FuzzEnding.Reset : FuzzEnding.Close),
            5 => ("half a head, then leave", null, [head[..random.Next(1, head.Length)]], gap, random.Next(2) == 0 ? FuzzEnding.Reset : FuzzEnding.Close),
            _ => ("reset mid-stream", null, [StreamRequest(path)], TimeSpan.FromMilliseconds(random.Next(0, 30)), FuzzEnding.Reset),
        };
    }

    private byte[] StreamRequest(string path)
    {
        var body = RequestSchema.Base(path, model);
        body["stream"] = true;
        body["max_tokens"] = 64;
        return Post(path, Encoding.UTF8.GetBytes(body.ToJsonString()));
    }

    private string AnyPath() => random.Next(2) == 0 ? RequestSchema.Completions : RequestSchema.Chat;

    private byte[] Post(string path, byte[] body) =>
        random.Next(10) == 0
            ? [.. Head("POST", path, "Content-Type: application/json", "Transfer-Encoding: chunked"), .. Encoding.ASCII.GetBytes($"{body.Length:x}\r\n"), .. body, .. "\r\n0\r\n\r\n"u8]
            : [.. Head("POST", path, "Content-Type: application/json", $"Content-Length: {body.Length}"), .. body];

    private byte[] Head(string method, string path, params string[] headers) =>
        RawHttpConnection.Head(server, method, _prefix + path, apiKey is null ? headers : [.. headers, $"Authorization: Bearer {apiKey}"]);

    /// <summary>The request with the hole's placeholder replaced by <paramref name="value"/>'s bytes.</summary>
    private static byte[] Splice(JsonObject body, byte[] value)
    {
        var json = Encoding.UTF8.GetBytes(body.ToJsonString());
        var hole = Encoding.UTF8.GetBytes($"\"{Hole}\"");
        var at = json.AsSpan().IndexOf(hole);
        return [.. json.AsSpan(0, at), .. value, .. json.AsSpan(at + hole.Length)];
    }

    /// <summary>Whether the server's JSON reader takes <paramref name="body"/> (nesting, repeated names, UTF-8, surrogates).</summary>
    private static bool IsServerJson(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body, ServerParsing);
            return AllStringsValid(document.RootElement);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool AllStringsValid(JsonElement element)
    {
        try
        {
            return element.ValueKind switch
            {
                JsonValueKind.String => element.GetString() is not null,
                JsonValueKind.Array => element.EnumerateArray().All(AllStringsValid),
                JsonValueKind.Object => element.EnumerateObject().All(p => p.Name is not null && AllStringsValid(p.Value)),
                _ => true,
            };
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static string Preview(byte[] value)
    {
        var text = Encoding.UTF8.GetString(value);
        return text.Length <= 40 ? text : string.Create(CultureInfo.InvariantCulture, $"{text[..30]}… ({value.Length} bytes)");
    }
}
