using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;

namespace Strata.Server.Tests;

/// <summary>A request's span tree, as an OTLP collector would receive it (here the in-memory exporter).</summary>
public sealed class TracingTests
{
    [Fact]
    public async Task Completion_WithTraceparent_ExportsTheRequestsSpanTree()
    {
        var exported = new List<Activity>();
        await using var server = await RunningServer.StartAsync(serverOptions: new ServerOptions
        {
            LogLevel = LogLevel.Error,
            ConfigureTracing = tracing => tracing.AddInMemoryExporter(exported),
        });
        var traceId = ActivityTraceId.CreateRandom();
        var clientSpan = ActivitySpanId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
        {
            Content = new StringContent("""{"prompt": "Once upon a time there was a little girl named Lily. She loved", "max_tokens": 6, "temperature": 0}""",
                System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-{clientSpan}-01");

        using var response = await server.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        await RunningServer.WaitUntilAsync(() => Task.FromResult(Spans(exported, traceId).Any(s => s.Kind == ActivityKind.Server)));
        var spans = Spans(exported, traceId);

        var http = Assert.Single(spans, s => s.Kind == ActivityKind.Server);
        Assert.Equal(clientSpan, http.ParentSpanId);
        var generation = Assert.Single(spans, s => s.DisplayName == $"text_completion {server.ModelName}");
        Assert.Equal(http.SpanId, generation.ParentSpanId);
        Assert.Equal("text_completion", generation.GetTagItem("gen_ai.operation.name"));
        Assert.Equal(server.ModelName, generation.GetTagItem("gen_ai.request.model"));
        Assert.Equal(6, generation.GetTagItem("gen_ai.request.max_tokens"));
        Assert.Equal(6, generation.GetTagItem("gen_ai.usage.output_tokens"));
        var promptTokens = (int)generation.GetTagItem("gen_ai.usage.input_tokens")!;
        Assert.Equal(["length"], (string[])generation.GetTagItem("gen_ai.response.finish_reasons")!);
        var match = Assert.Single(generation.Events, e => e.Name == "strata.prefix_match");
        Assert.Contains(match.Tags, t => t.Key == "strata.cached_tokens");

        var children = spans.Where(s => s.ParentSpanId == generation.SpanId).ToList();
        Assert.Single(children, s => s.DisplayName == "strata.queued");
        var prefill = children.Where(s => s.DisplayName == "strata.prefill").ToList();
        Assert.NotEmpty(prefill);
        Assert.Equal(promptTokens, prefill.Sum(s => (int)s.GetTagItem("strata.tokens")!));
        var decode = Assert.Single(children, s => s.DisplayName == "strata.decode");
        Assert.Equal(5, decode.GetTagItem("strata.steps"));
        Assert.All(children, child => Assert.True(child.StartTimeUtc >= generation.StartTimeUtc.AddMilliseconds(-1) && child.Duration >= TimeSpan.Zero, child.DisplayName));
        Assert.True(prefill.Max(s => s.StartTimeUtc) <= decode.StartTimeUtc);
    }

    private static List<Activity> Spans(List<Activity> exported, ActivityTraceId traceId)
    {
        lock (exported)
            return exported.Where(s => s.TraceId == traceId).ToList();
    }
}
