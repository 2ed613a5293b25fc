using System.Text.Encodings.Web;
using System.Text.Json;

namespace Strata.Server.Responses;

/// <summary>How every response body is written.</summary>
internal static class JsonOutput
{
    // Non-ASCII text (and the U+FFFD that replaces invalid bytes) reads better as UTF-8 than as \u escapes; the
    // responses are JSON for API clients, never HTML, so HTML-sensitive characters need no escaping either.
    public static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
