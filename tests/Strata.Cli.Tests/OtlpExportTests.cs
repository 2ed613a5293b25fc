using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Strata.Cli.Tests;

/// <summary><c>strata serve</c> with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set pushes traces and metrics to that collector.</summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task Serve_OtlpEndpointVariable_ExportsTracesAndMetrics()
    {
        var port = FreePort();
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        var received = new ConcurrentQueue<string>();
        var accepting = Task.Run(async () =>
        {
            while (collector.IsListening)
            {
                var context = await collector.GetContextAsync();
                await context.Request.InputStream.CopyToAsync(Stream.Null);
                received.Enqueue(context.Request.Url!.AbsolutePath);
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        });
        var start = CliProcess.StartInfo("serve", "--port", "0", "--kv-cache-memory", "16MiB", "--max-num-batched-tokens", "64", "--threads", "1");
        start.Environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{port}";
        start.Environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        start.Environment["OTEL_METRIC_EXPORT_INTERVAL"] = "300";
        start.Environment["OTEL_BSP_SCHEDULE_DELAY"] = "100";
        using var server = await ServeProcess.StartAsync(start);

        await server.CompleteAsync("Once upon a time", 4);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!(received.Contains("/v1/traces") && received.Contains("/v1/metrics")) && DateTime.UtcNow < deadline)
            await Task.Delay(50);

        Assert.Contains("/v1/traces", received);
        Assert.Contains("/v1/metrics", received);
        collector.Stop();
        await Assert.ThrowsAnyAsync<Exception>(() => accepting);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
