using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Strata.Cli.Tests.ServeBenchmark;

/// <summary>
/// A tiny OpenAI-compatible server on loopback that streams a known number of tokens with known delays: the first
/// after <c>firstTokenDelay</c>, each next one <c>tokenDelay</c> later. Prompt tokens are the words of the prompt
/// plus one (a BOS). Every <c>failEvery</c>-th generation fails, alternately with HTTP 500 and a stream cut off
/// mid-way; one-token requests (the benchmark's calibration probes) are never failed.
/// </summary>
internal sealed class FakeOpenAiServer : IAsyncDisposable
{
    public const string ModelName = "fake-model";
    public const int CachedTokens = 7;

    private readonly HttpListener listener = new();
    private readonly TimeSpan firstTokenDelay;
    private readonly TimeSpan tokenDelay;
    private readonly int failEvery;
    private readonly Task accepting;
    private int generations;
    private int inFlight;
    private int peakInFlight;

    public FakeOpenAiServer(TimeSpan firstTokenDelay, TimeSpan tokenDelay, int failEvery = 0)
    {
        this.firstTokenDelay = firstTokenDelay;
        this.tokenDelay = tokenDelay;
        this.failEvery = failEvery;
        Url = $"http://127.0.0.1:{FreePort()}";
        listener.Prefixes.Add(Url + "/");
        listener.Start();
        accepting = Task.Run(AcceptAsync);
    }

    public string Url { get; }

    /// <summary>The most generations that were streaming at the same time.</summary>
    public int PeakInFlight => Volatile.Read(ref peakInFlight);

    /// <summary>A loopback port nothing listens on (at the moment of asking).</summary>
    public static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        listener.Close();
        await accepting;
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            var path = context.Request.Url!.AbsolutePath;
            if (context.Request.HttpMethod == "GET" && path == "/v1/models")
            {
                await WriteJsonAsync(response, 200, $"{{\"object\":\"list\",\"data\":[{{\"id\":\"{ModelName}\",\"object\":\"model\"}}]}}");
                return;
            }
            var chat = path == "/v1/chat/completions";
            if (context.Request.HttpMethod != "POST" || (!chat && path != "/v1/completions"))
            {
                await WriteJsonAsync(response, 404, "{\"error\":{\"message\":\"no such endpoint\"}}");
                return;
            }
            using var body = await JsonDocument.ParseAsync(context.Request.InputStream);
            var request = body.RootElement;
            if (request.GetProperty("model").GetString() != ModelName)
            {
                await WriteJsonAsync(response, 404, "{\"error\":{\"message\":\"model not found\",\"type\":\"invalid_request_error\"}}");
                return;
            }
            var maxTokens = request.GetProperty("max_tokens").GetInt32();
            var promptTokens = 1 + (chat
                ? request.GetProperty("messages").EnumerateArray().Sum(m => WordCount(m.GetProperty("content").GetString()!))
                : WordCount(request.GetProperty("prompt").GetString()!));
            var failure = Failure.None;
            if (maxTokens > 1 && failEvery > 0 && Interlocked.Increment(ref generations) is var n && n % failEvery == 0)
                failure = n / failEvery % 2 == 1 ? Failure.Http500 : Failure.CutStream;
            if (failure == Failure.Http500)
            {
                await WriteJsonAsync(response, 500, "{\"error\":{\"code\":500,\"message\":\"injected failure\",\"type\":\"server_error\"}}");
                return;
            }
            await StreamAsync(response, chat, maxTokens, promptTokens, failure == Failure.CutStream);
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException)
        {
            // The client went away; nothing to answer.
        }
    }

    private async Task StreamAsync(HttpListenerResponse response, bool chat, int tokens, int promptTokens, bool cutOff)
    {
        var now = Interlocked.Increment(ref inFlight);
        InterlockedMax(ref peakInFlight, now);
        try
        {
            response.StatusCode = 200;
            response.ContentType = "text/event-stream";
            response.SendChunked = true;
            var output = response.OutputStream;
            if (chat)
                await SendAsync(output, "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}");
            await Task.Delay(firstTokenDelay);
            for (var i = 0; i < tokens; i++)
            {
                if (i > 0)
                    await Task.Delay(tokenDelay);
                await SendAsync(output, chat
                    ? $"{{\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\" t{i}\"}}}}]}}"
                    : $"{{\"choices\":[{{\"index\":0,\"text\":\" t{i}\"}}]}}");
                if (cutOff)
                {
                    response.Abort();
                    return;
                }
            }
            await SendAsync(output, $"{{\"choices\":[],\"usage\":{{\"prompt_tokens\":{promptTokens},\"completion_tokens\":{tokens},\"total_tokens\":{promptTokens + tokens},\"prompt_tokens_details\":{{\"cached_tokens\":{CachedTokens}}}}}}}");
            await SendAsync(output, "[DONE]");
            response.Close();
        }
        finally
        {
            Interlocked.Decrement(ref inFlight);
        }
    }

    private static async Task SendAsync(Stream output, string data)
    {
        await output.WriteAsync(Encoding.UTF8.GetBytes($"data: {data}\n\n"));
        await output.FlushAsync();
    }

    private static async Task WriteJsonAsync(HttpListenerResponse response, int status, string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
        response.Close();
    }

    private static int WordCount(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
                return;
            current = seen;
        }
    }

    private enum Failure
    {
        None,
        Http500,
        CutStream,
    }
}
