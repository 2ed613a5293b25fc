using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Strata.Engine;
using Strata.Server.Cluster;
using Strata.Server.Endpoints;
using Strata.Server.Generation;
using Strata.Server.Http;
using Strata.Server.Metrics;
using Strata.Server.Prompts;

namespace Strata.Server;

/// <summary>
/// The OpenAI-compatible HTTP server (Kestrel) in front of an <see cref="InferenceEngine"/>:
/// <c>/v1/completions</c>, <c>/v1/chat/completions</c>, <c>/v1/models</c>, <c>/health</c> and <c>/metrics</c>.
/// The caller owns the engine and disposes it after the server.
/// </summary>
public sealed class StrataServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StrataServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    /// <summary>The address the server listens on, such as <c>http://127.0.0.1:8000/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Binds the port and starts answering requests.</summary>
    public static async Task<StrataServer> StartAsync(InferenceEngine engine, ServerOptions options, CancellationToken cancellation = default)
    {
        var maxRequestBytes = options.MaxRequestBytes ?? ServerOptions.DefaultMaxRequestBytes(engine.MaxModelLength);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(StrataServer).Assembly.GetName().Name });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = maxRequestBytes;
            Listen(kestrel, options.Host, options.Port);
        });
        builder.Services.AddRoutingCore();
        ConfigureLogging(builder.Logging, options.LogLevel);
        builder.Services
            .AddSingleton(engine)
            .AddSingleton(engine.Model)
            .AddSingleton<ServerMetrics>()
            .AddSingleton<EngineHost>()
            .AddSingleton<ChatPromptBuilder>()
            .AddSingleton(new PromptTokenizer(text => engine.Model.Tokenizer.Encode(text, addSpecial: true, parseSpecial: true), engine.MaxModelLength,
                lanes: Math.Max(1, Environment.ProcessorCount / 2)))
            .AddSingleton<CompletionsEndpoint>()
            .AddSingleton<ChatCompletionsEndpoint>()
            .AddSingleton<ModelsEndpoint>()
            .AddSingleton<TokenizeEndpoint>()
            .AddSingleton<MetricsEndpoint>();
        if (options.Node is { } node)
            builder.Services.AddNode(node);

        var app = builder.Build();
        app.UseMiddleware<RequestCounter>();
        app.UseMiddleware<ErrorBoundary>();
        if (options.ApiKeys.Count > 0 || options.Tenants.Count > 0)
            app.UseMiddleware<ApiKeyCheck>(options.ApiKeys, options.Tenants.Select(t => new TenantLimiter(t, TimeProvider.System)).ToList());
        if (options.Node is not null)
            NodeRoutes.UseHandoffs(app);
        ApiRoutes.Map(app);
        if (options.Node is not null)
            NodeRoutes.Map(app);
        // Built eagerly so that a model without a chat template is reported at startup, not on the first chat request.
        app.Services.GetRequiredService<ChatPromptBuilder>();

        await app.StartAsync(cancellation);
        var address = new Uri(app.Urls.First());
        var logger = app.Services.GetRequiredService<ILogger<StrataServer>>();
        app.Lifetime.ApplicationStopping.Register(() => logger.LogInformation("Shutting down: running requests are cancelled"));
        logger.LogInformation(
            "Serving {Model} at {Url}: {KvCache}, step budget {Budget} tokens, max model length {MaxModelLength}, request bodies up to {MaxRequestBytes} bytes",
            engine.Model.Name, address, engine.KvCacheSummary, engine.MaxBatchedTokens, engine.MaxModelLength, maxRequestBytes);
        return new StrataServer(app, address);
    }

    /// <summary>Loggers that write as the server does (one line each, to stderr), for the engine it will serve.</summary>
    public static ILoggerFactory CreateLoggerFactory(LogLevel level) => LoggerFactory.Create(logging => ConfigureLogging(logging, level));

    /// <summary>Returns once the server was asked to stop (<paramref name="cancellation"/>, Ctrl-C or SIGTERM) and has stopped.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellation = default) => _app.WaitForShutdownAsync(cancellation);

    /// <summary>Stops listening; requests still running are cancelled in the engine and end at once.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    internal static void Listen(KestrelServerOptions kestrel, string host, int port)
    {
        if (host == "localhost")
            kestrel.ListenLocalhost(port, RejectionBodies.Use);
        else if (IPAddress.TryParse(host, out var address))
            kestrel.Listen(address, port, RejectionBodies.Use);
        else
            throw new ArgumentException($"--host must be an IP address or localhost, got '{host}'");
    }

    internal static void ConfigureLogging(ILoggingBuilder logging, LogLevel level)
    {
        logging.SetMinimumLevel(level);
        // ASP.NET Core's own information messages (every request, "Now listening on") would drown the server's.
        logging.AddFilter("Microsoft", LogLevel.Warning);
        // A router logs a failed node once in its own words; YARP would add a stack trace per forwarding failure.
        logging.AddFilter("Yarp", LogLevel.Error);
        logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss ";
        });
        // stdout stays free for whatever runs the server; every log line goes to stderr.
        logging.Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
    }
}
