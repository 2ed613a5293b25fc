using System.Text.Json;

namespace Strata.Cli.Hardening;

/// <summary>
/// The properties every fuzz answer must have: an answer at all when the request was whole, never a 5xx, an OpenAI
/// error body (<c>{"error": {"message", "type", "param", "code"}}</c>) on every 4xx, <c>param</c> naming the field a
/// case made invalid, and on a 200 a whole body: JSON that parses, or an event stream that ends with <c>[DONE]</c>.
/// </summary>
internal static class FuzzJudge
{
    /// <summary>What <paramref name="answer"/> to <paramref name="fuzzCase"/> showed.</summary>
    public sealed record Finding(bool ClientError, bool ErrorBody, bool? NamesField, string? Violation);

    public static Finding Judge(FuzzCase fuzzCase, RawHttpResponse? answer)
    {
        if (answer is null)
        {
            return new Finding(false, false, null, fuzzCase.Ending == FuzzEnding.Answer ? "no answer within the patience (the server hung or dropped the connection)" : null);
        }
        if (answer.Status >= 500)
            return new Finding(false, false, null, $"HTTP {answer.Status}: {Shorten(answer.Body)}");
        // The answer to a HEAD request has a status and headers only; there is no body to judge.
        if (fuzzCase.Pieces is [var first, ..] && first.AsSpan().StartsWith("HEAD "u8))
            return new Finding(false, false, null, null);
        if (answer.Status >= 400)
            return ClientError(fuzzCase, answer);
        var broken = answer.Status == 200 && !IsWhole(answer);
        return new Finding(false, false, null, broken ? $"HTTP 200 with a broken body: {Shorten(answer.Body)}" : null);
    }

    private static Finding ClientError(FuzzCase fuzzCase, RawHttpResponse answer)
    {
        if (ErrorParam(answer) is not var (valid, param) || !valid)
            return new Finding(true, false, null, $"HTTP {answer.Status} without an OpenAI error body: {Shorten(answer.Body)}");
        // Only a field's own error can name it: a body too large (413) or a wrong route is about the request as a whole.
        if (fuzzCase.Target is not { } target || answer.Status is not (400 or 404) || (answer.Status == 404 && param is null))
            return new Finding(true, true, null, null);
        var names = param is not null && (param == target || IsPathWithin(param, target) || IsPathWithin(target, param));
        return new Finding(true, true, names, names ? null : $"HTTP {answer.Status} names param {param ?? "null"}, not {target}: {Shorten(answer.Body)}");
    }

    /// <summary>Whether the body is <c>{"error": {"message": "…", "type": "…", "param": string or null, "code": …}}</c>, and its param.</summary>
    private static (bool Valid, string? Param)? ErrorParam(RawHttpResponse answer)
    {
        if (answer.MediaType != "application/json")
            return null;
        try
        {
            using var document = JsonDocument.Parse(answer.Body);
            if (!document.RootElement.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object)
                return null;
            var valid = error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String && message.GetString()!.Length > 0
                && error.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
                && error.TryGetProperty("param", out var param) && param.ValueKind is JsonValueKind.String or JsonValueKind.Null
                && error.TryGetProperty("code", out _);
            return (valid, valid && error.GetProperty("param").ValueKind == JsonValueKind.String ? error.GetProperty("param").GetString() : null);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool IsPathWithin(string inner, string outer) =>
        inner.Length > outer.Length && inner.StartsWith(outer, StringComparison.Ordinal) && inner[outer.Length] is '.' or '[';

    // A HEAD answer has no body; Prometheus text is not checked.
    private static bool IsWhole(RawHttpResponse answer)
    {
        if (answer.Body.Length == 0 || answer.MediaType == "text/plain")
            return true;
        if (answer.MediaType == "text/event-stream")
            return answer.Body.TrimEnd().EndsWith("data: [DONE]", StringComparison.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(answer.Body);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Shorten(string body) => ServeBenchmark.ErrorMessage.Shorten(body.Length == 0 ? "(empty body)" : body);
}
