using System.Net;
using System.Text;
using System.Text.Json;
using Strata.Cli.Tests.ServeBenchmark;

namespace Strata.Cli.Tests.Hardening;

/// <summary>
/// A stand-in server whose <c>/metrics</c>, greedy text and <c>/health</c> a test sets, to see that the checks after a
/// soak or fuzz run notice each way a server can be left broken.
/// </summary>
internal sealed class FakeServerState : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _accepting;

    public FakeServerState()
    {
        Url = $"http://127.0.0.1:{FakeOpenAiServer.FreePort()}";
        _listener.Prefixes.Add(Url + "/");
        _listener.Start();
        _accepting = Task.Run(AcceptAsync);
    }

    public string Url { get; }

    public string Metrics { get; set; } = "";

    public string GreedyText { get; set; } = ", there was a little girl";

    public int HealthStatus { get; set; } = 200;

    public async ValueTask DisposeAsync()
    {
        _listener.Close();
        await _accepting;
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            var (status, body) = context.Request.Url!.AbsolutePath switch
            {
                "/metrics" => (200, Metrics),
                "/health" => (HealthStatus, "{}"),
                "/v1/models" => (200, """{"data":[{"id":"fake"}]}"""),
                _ => (200, JsonSerializer.Serialize(new { choices = new[] { new { text = GreedyText } } })),
            };
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Response.StatusCode = status;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }
}
