using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Strata.Engine;
using Strata.Server.Cluster;
using Strata.Server.Endpoints;
using Strata.Server.Generation;
using Strata.Server.Health;
using Strata.Server.Hosting;
using Strata.Server.Http;
using Strata.Server.Metrics;
using Strata.Server.Prompts;
using Strata.Server.Telemetry;

namespace Strata.Server;

/// <summary>
/// The OpenAI-compatible HTTP server (Kestrel) in front of an <see cref="InferenceEngine"/>:
/// <c>/v1/completions</c>, <c>/v1/chat/completions</c>, <c>/v1/models</c>, <c>/health</c>, <c>/health/ready</c> and
/// <c>/metrics</c>. The caller owns the engine and disposes it after the server, and owns Ctrl-C and SIGTERM: it stops
/// the server through <see cref="WaitForShutdownAsync"/>'s cancellation, which drains first.
/// </summary>
public sealed class StrataServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ServerOptions _options;
    private readonly ServingState _state;
    private readonly ILogger _logger;
    private readonly NodeRegistration? _registration;

    private StrataServer(WebApplication app, ServerOptions options, Uri baseAddress, Task loaded)
    {
        Loaded = loaded;
        _app = app;
        _options = options;
        _state = app.Services.GetRequiredService<ServingState>();
        _logger = app.Services.GetRequiredService<ILogger<StrataServer>>();
        BaseAddress = baseAddress;
        if (options.Node is { RegistryUrl: not null } node)
            _registration = new NodeRegistration(node, node.Advertise ?? baseAddress, _state, app.Services.GetRequiredService<ILogger<NodeRegistration>>());
    }

    internal ServingState State => _state;

    /// <summary>The address the server listens on, such as <c>http://127.0.0.1:8000/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Completes once the engine has loaded and API requests are served; faults if loading failed.</summary>
    public Task Loaded { get; }

    /// <summary>Binds the port and starts answering requests.</summary>
    public static async Task<StrataServer> StartAsync(InferenceEngine engine, ServerOptions options, CancellationToken cancellation = default)
    {
        var server = await StartAsync(Task.FromResult(engine), options, cancellation);
        await server.Loaded;
        return server;
    }

    /// <summary>
    /// Binds the port and answers the probes while <paramref name="engine"/> is still loading: <c>/health</c> says alive,
    /// <c>/health/ready</c> not ready, and every other route 503 until the engine is there (see <see cref="Loaded"/>).
    /// </summary>
    public static async Task<StrataServer> StartAsync(Task<InferenceEngine> engine, ServerOptions options, CancellationToken cancellation = default)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(StrataServer).Assembly.GetName().Name });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Until the engine has loaded (and its context says how much a request may hold), only the probes are served.
            // Then RequestBodyLimit sets each request's limit.
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBytes ?? ServerOptions.DefaultMaxRequestBytes(0);
            Listen(kestrel, options.Host, options.Port);
        });
        builder.Services.AddRoutingCore();
        ServerTelemetry.AddStandardVariables(builder.Configuration);
        if (options.LoggerFactory is { } loggerFactory)
            builder.Services.AddSingleton(loggerFactory);
        else
            ServerLogging.Configure(builder.Logging, options.LogFormat, options.LogLevel);
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddHealthChecks()
            .AddCheck<DrainingCheck>("draining")
            .AddCheck<EngineLoopCheck>("engine-loop")
            .AddCheck<KvAdmissionCheck>("kv-admission")
            .AddCheck<RemoteStoreCheck>("remote-store");
        builder.Services
            .AddSingleton(options)
            .AddSingleton<ServingState>()
            // Made only once the engine has loaded (the gate holds every route that needs it until then). The engine and
            // the model are passed to them, not registered, so that the container never disposes what the caller owns.
            .AddSingleton(services => ServingState.WithEngine<EngineHost>(services))
            .AddSingleton(services => ActivatorUtilities.CreateInstance<ChatPromptBuilder>(services, services.GetRequiredService<ServingState>().LoadedEngine.Model))
            .AddSingleton(services => PromptTokenizerFor(services.GetRequiredService<ServingState>().LoadedEngine, services.GetRequiredService<ServerMetrics>()))
            .AddSingleton<CompletionsEndpoint>()
            .AddSingleton<ChatCompletionsEndpoint>()
            .AddSingleton<ModelsEndpoint>()
            .AddSingleton<TokenizeEndpoint>();
        ServerInstruments.Add(builder.Services);
        ServerTelemetry.Add(builder.Services, options);
        if (options.Node is { } node)
            builder.Services.AddNode(node);

        var app = builder.Build();
        app.UseMiddleware<RequestCounter>();
        app.UseMiddleware<AccessLog>();
        app.UseMiddleware<DrainGate>();
        app.UseMiddleware<LoadingGate>();
        app.UseMiddleware<RequestBodyLimit>();
        app.UseMiddleware<ErrorBoundary>();
        if (options.ApiKeys.Count > 0 || options.Tenants.Count > 0)
            app.UseMiddleware<ApiKeyCheck>(options.ApiKeys, options.Tenants.Select(t => new TenantLimiter(t, TimeProvider.System)).ToList());
        if (options.Node is not null)
            NodeRoutes.UseHandoffs(app);
        ApiRoutes.Map(app);
        if (options.Node is not null)
            NodeRoutes.Map(app);

        await app.StartAsync(cancellation);
        var address = new Uri(app.Urls.First());
        return new StrataServer(app, options, address, ServeWhenLoadedAsync(app, options, engine, address));
    }

    /// <summary>Once the engine is there: its instruments, the chat template, then API requests.</summary>
    private static async Task ServeWhenLoadedAsync(WebApplication app, ServerOptions options, Task<InferenceEngine> loading, Uri address)
    {
        var engine = await loading;
        var maxRequestBytes = options.MaxRequestBytes ?? ServerOptions.DefaultMaxRequestBytes(engine.MaxModelLength);
        app.Services.GetRequiredService<ServingState>().Loaded(engine, maxRequestBytes);
        ServerInstruments.ObserveEngine(app.Services);
        // Built eagerly so that a model without a chat template is reported at startup, not on the first chat request.
        app.Services.GetRequiredService<ChatPromptBuilder>();
        app.Services.GetRequiredService<ILogger<StrataServer>>().LogInformation(
            "Serving {Model} at {Url}: {KvCache}, step budget {Budget} tokens, max model length {MaxModelLength}, request bodies up to {MaxRequestBytes} bytes",
            engine.Model.Name, address, engine.KvCacheSummary, engine.MaxBatchedTokens, engine.MaxModelLength, maxRequestBytes);
    }

    /// <summary>
    /// Returns once the server was asked to stop (<paramref name="cancellation"/>) and has stopped. It drains first:
    /// readiness turns false, a registered node's record is deleted, new API requests get 503 at once, running ones may finish within
    /// <see cref="ServerOptions.DrainTimeout"/>, and those still running then are cancelled.
    /// </summary>
    public async Task WaitForShutdownAsync(CancellationToken cancellation = default)
    {
        await Task.Delay(Timeout.Infinite, cancellation).ContinueWith(_ => { }, TaskScheduler.Default);
        _state.BeginDrain();
        if (_registration is not null)
            await _registration.StopAsync();
        _logger.LogInformation("Draining: not ready, refusing new requests, letting {Running} running requests finish for up to {Timeout} s",
            _state.RunningRequests, _options.DrainTimeout.TotalSeconds);
        var deadline = DateTime.UtcNow + _options.DrainTimeout;
        while (_state.RunningRequests > 0 && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        if (_state.RunningRequests > 0)
            _logger.LogWarning("Shutting down: cancelling {Running} requests still running", _state.RunningRequests);
        await _app.StopAsync();
    }

    /// <summary>Stops listening; requests still running are cancelled in the engine and end at once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_registration is not null)
            await _registration.DisposeAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static PromptTokenizer PromptTokenizerFor(InferenceEngine engine, ServerMetrics metrics) =>
        new(text => engine.Model.Tokenizer.Encode(text, addSpecial: true, parseSpecial: true), engine.MaxModelLength,
            lanes: Math.Max(1, Environment.ProcessorCount / 2), metrics);

    internal static void Listen(KestrelServerOptions kestrel, string host, int port)
    {
        if (host == "localhost")
            kestrel.ListenLocalhost(port, RejectionBodies.Use);
        else if (IPAddress.TryParse(host, out var address))
            kestrel.Listen(address, port, RejectionBodies.Use);
        else
            throw new ArgumentException($"--host must be an IP address or localhost, got '{host}'");
    }
}
