using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Strata.Cli.ServeBenchmark;

/// <summary>
/// A minimal client of any OpenAI-compatible server: it lists models and sends streamed requests, turning every
/// failure of a request (HTTP errors, refused connections, broken streams) into a failed <see cref="RequestRecord"/>;
/// and for the soak and fuzz runs it sends any body and reads any page (<c>/metrics</c>, <c>/health</c>) whole.
/// </summary>
internal sealed class OpenAiClient : IDisposable
{
    private readonly HttpClient http;
    private readonly string baseUrl;

    public OpenAiClient(string baseUrl, string? apiKey)
    {
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException($"--url must be an absolute http(s) URL, got '{baseUrl}'");
        this.baseUrl = baseUrl.TrimEnd('/');
        // Long generations under heavy load can take minutes; a benchmark waits for them rather than timing out.
        http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) }) { Timeout = Timeout.InfiniteTimeSpan };
        if (apiKey is not null)
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
    }

    public string UrlOf(ApiEndpoint endpoint) => baseUrl + EndpointPath(endpoint);

    /// <summary>The first model the server lists at <c>/v1/models</c>, the one it serves when it serves one.</summary>
    public async Task<string> FirstModelAsync(CancellationToken cancellation)
    {
        var url = baseUrl + "/v1/models";
        string body;
        try
        {
            using var response = await http.GetAsync(url, cancellation);
            body = await response.Content.ReadAsStringAsync(cancellation);
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"GET {url} returned HTTP {(int)response.StatusCode}: {ErrorMessage.FromBody(body)}; pass --model");
        }
        catch (HttpRequestException ex)
        {
            throw new InvalidOperationException($"cannot reach {url}: {ErrorMessage.Describe(ex)}", ex);
        }
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.TryGetProperty("data", out var models) && models.ValueKind == JsonValueKind.Array
                && models.GetArrayLength() > 0 && models[0].TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
                return id.GetString()!;
        }
        catch (JsonException)
        {
            // Falls through to the error below: the answer is not a model list.
        }
        throw new InvalidOperationException($"GET {url} listed no models; pass --model");
    }

    /// <summary>Sends one streamed request and measures it; only cancellation escapes as an exception.</summary>
    public async Task<RequestRecord> StreamAsync(RequestSettings settings, BenchmarkRequest request, CancellationToken cancellation)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, UrlOf(settings.Endpoint))
        {
            Content = new ByteArrayContent(RequestBody.Create(settings, request)) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };
        // A fresh connection per request: llama-server closes a connection after a streamed response even though it
        // advertises keep-alive, and a request that picks that connection up in the moment before it closes is lost.
        // A new connection costs a TCP handshake, far below anything the benchmark measures.
        message.Headers.ConnectionClose = true;
        var start = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellation);
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(cancellation);
                return RequestRecord.Failure($"HTTP {(int)response.StatusCode}: {ErrorMessage.FromBody(body)}") with
                {
                    Status = (int)response.StatusCode,
                    EndToEnd = Stopwatch.GetElapsedTime(start),
                };
            }
            await using var stream = await response.Content.ReadAsStreamAsync(cancellation);
            return await ResponseStreamReader.ReadAsync(stream, start, request.TargetPromptTokens, cancellation);
        }
        catch (Exception ex) when (!cancellation.IsCancellationRequested)
        {
            // Whatever goes wrong with one request (refused, reset, a truncated body) is a result to count, not a reason to stop the run.
            return RequestRecord.Failure(ErrorMessage.Describe(ex));
        }
    }

    /// <summary>Sends <paramref name="body"/> as JSON to <paramref name="path"/> and reads the whole answer, streamed or not.</summary>
    public Task<ApiResponse> PostAsync(string path, byte[] body, CancellationToken cancellation) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, baseUrl + path)
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        }, cancellation);

    /// <summary>GETs <paramref name="path"/> (such as <c>/metrics</c>) and reads the whole answer.</summary>
    public Task<ApiResponse> GetAsync(string path, CancellationToken cancellation) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, baseUrl + path), cancellation);

    public void Dispose() => http.Dispose();

    /// <summary>Only cancellation escapes as an exception; a request that got no answer comes back with its transport error.</summary>
    private async Task<ApiResponse> SendAsync(HttpRequestMessage message, CancellationToken cancellation)
    {
        using (message)
        {
            try
            {
                using var response = await http.SendAsync(message, cancellation);
                var body = await response.Content.ReadAsStringAsync(cancellation);
                return new ApiResponse((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, null);
            }
            catch (Exception ex) when (!cancellation.IsCancellationRequested)
            {
                return new ApiResponse(null, null, "", ErrorMessage.Describe(ex));
            }
        }
    }

    private static string EndpointPath(ApiEndpoint endpoint) => endpoint switch
    {
        ApiEndpoint.Completions => "/v1/completions",
        ApiEndpoint.ChatCompletions => "/v1/chat/completions",
        _ => throw new ArgumentOutOfRangeException(nameof(endpoint), endpoint, null),
    };
}
