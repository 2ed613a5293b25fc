using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Strata.Server.Tests;

/// <summary>
/// Requests that go wrong below the JSON: broken framing, oversized parts, unknown routes and clients that leave while
/// they upload. Every answer carries an OpenAI error body, none is a server error, and the server stays healthy.
/// </summary>
public sealed class HttpFramingTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private RunningServer Server => fixture.Server;

    public static TheoryData<string, int> Unrouted => new()
    {
        { "POST /v1/completions.json", 404 },
        { "GET /v1/models/model.gguf", 404 },
        { "POST /v1/embeddings", 404 },
        { "GET /nothing/here.txt", 404 },
        { "PUT /v1/completions", 405 },
        { "GET /v1/chat/completions", 405 },
        { "POST /v1/models", 405 },
        { "DELETE /health", 405 },
    };

    [Theory]
    [MemberData(nameof(Unrouted))]
    public async Task Request_UnknownRouteOrMethod_OpenAiError(string request, int status)
    {
        var (method, path) = (request.Split(' ')[0], request.Split(' ')[1]);

        using var response = await Server.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("{}") });

        var error = await ErrorOfAsync(response, status);
        Assert.Equal(status == 404 ? "unknown_url" : "method_not_allowed", error.GetProperty("code").GetString());
        if (status == 405)
            Assert.NotEmpty(response.Content.Headers.Allow);
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/v1/models")]
    [InlineData("/metrics")]
    public async Task Head_ReadRoute_OkWithoutBody(string path)
    {
        using var response = await Server.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Request_LineTooLong_414WithOpenAiError()
    {
        using var connection = await RawHttpConnection.SendAsync(Server.BaseAddress, RawHttpConnection.Head("GET", "/v1/models?q=" + new string('a', 20_000)));

        AssertError(await connection.ReadResponseAsync(), 414);
    }

    [Fact]
    public async Task Request_HeadersTooLarge_431WithOpenAiError()
    {
        using var connection = await RawHttpConnection.SendAsync(Server.BaseAddress, RawHttpConnection.Head("GET", "/v1/models", "X-Big: " + new string('a', 40_000)));

        AssertError(await connection.ReadResponseAsync(), 431);
    }

    [Theory]
    [InlineData("GARBAGE\r\n\r\n")]
    [InlineData("GET /health HTTP/1.1\r\n\r\n")]
    [InlineData("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n{}")]
    [InlineData("POST /v1/completions HTTP/1.1\r\nHost: x\r\nBad Header: x\r\n\r\n")]
    public async Task Request_MalformedHead_400WithOpenAiError(string request)
    {
        using var connection = await RawHttpConnection.SendAsync(Server.BaseAddress, Encoding.ASCII.GetBytes(request));

        AssertError(await connection.ReadResponseAsync(), 400);
        await Server.AssertHealthyAsync();
    }

    [Theory]
    [InlineData("FFFFFFFFFFFFFFFFFFFF\r\nabc\r\n")]
    [InlineData("zz\r\nabc\r\n")]
    [InlineData("3\r\nabcdef\r\n")]
    public async Task Post_MalformedChunkedBody_400WithOpenAiError(string chunks)
    {
        var request = RawHttpConnection.Head("POST", "/v1/completions", "Content-Type: application/json\r\nTransfer-Encoding: chunked");
        using var connection = await RawHttpConnection.SendAsync(Server.BaseAddress, [.. request, .. Encoding.ASCII.GetBytes(chunks)]);

        AssertError(await connection.ReadResponseAsync(), 400);
        await Server.AssertHealthyAsync();
    }

    [Fact]
    public async Task Post_BodyLargerThanTheLimit_413WithOpenAiErrorBeforeItIsSent()
    {
        var request = RawHttpConnection.Head("POST", "/v1/completions", "Content-Type: application/json\r\nContent-Length: 40000000");
        using var connection = await RawHttpConnection.SendAsync(Server.BaseAddress, [.. request, .. "{\"prompt\": \""u8]);

        AssertError(await connection.ReadResponseAsync(), 413);
    }

    [Fact]
    public async Task Post_ChunkedBodyBeyondMaxRequestBytes_413()
    {
        await using var server = await RunningServer.StartAsync(serverOptions: new ServerOptions { Port = 0, MaxRequestBytes = 4096, LogLevel = LogLevel.Error });
        var prompt = new string('a', 5000);

        using var response = await server.Http.PostAsync("/v1/completions", new ChunkedJson($$"""{"prompt": "{{prompt}}"}"""));

        await ErrorOfAsync(response, 413);
        await server.AssertHealthyAsync();
    }

    [Fact]
    public async Task Post_ResetMidBody_CountedAsClientAbortNotServerError()
    {
        await using var server = await RunningServer.StartAsync();
        var request = RawHttpConnection.Head("POST", "/v1/completions", "Content-Type: application/json\r\nContent-Length: 1000");
        var connection = await RawHttpConnection.SendAsync(server.BaseAddress, [.. request, .. "{\"prompt\": \"Once"u8]);
        await Task.Delay(100);

        connection.Reset();

        await WaitForAsync(async () => await server.MetricAsync("strata_requests_total{status=\"499\"}") == 1);
        Assert.Equal(0, await server.MetricAsync("strata_requests_total{status=\"500\"}"));
        await server.AssertHealthyAsync();
    }

    [Fact]
    public async Task Post_FinMidBody_BadRequest()
    {
        await using var server = await RunningServer.StartAsync();
        var request = RawHttpConnection.Head("POST", "/v1/completions", "Content-Type: application/json\r\nContent-Length: 1000");
        using var connection = await RawHttpConnection.SendAsync(server.BaseAddress, [.. request, .. "{\"prompt\": \"Once"u8]);
        await Task.Delay(100);

        connection.ShutdownSend();

        await WaitForAsync(async () => await server.MetricAsync("strata_requests_total{status=\"400\"}") == 1);
        Assert.Equal(0, await server.MetricAsync("strata_requests_total{status=\"500\"}"));
        await server.AssertHealthyAsync();
    }

    private static void AssertError(RawResponse response, int status)
    {
        Assert.True(response.Status == status, $"expected {status}, got {response.Status}: {response.Body}");
        Assert.StartsWith("application/json", response.Headers["content-type"]);
        AssertOpenAiError(JsonDocument.Parse(response.Body).RootElement);
    }

    private static async Task<JsonElement> ErrorOfAsync(HttpResponseMessage response, int status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return AssertOpenAiError(JsonDocument.Parse(text).RootElement);
    }

    private static JsonElement AssertOpenAiError(JsonElement body)
    {
        var error = body.GetProperty("error");
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.True(error.TryGetProperty("param", out _));
        Assert.True(error.TryGetProperty("code", out _));
        return error.Clone();
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 200 && !await condition(); i++)
            await Task.Delay(10);
        Assert.True(await condition());
    }

    /// <summary>A JSON body sent with chunked transfer encoding, so no Content-Length announces its size.</summary>
    private sealed class ChunkedJson(string json) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(Encoding.UTF8.GetBytes(json)).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
